"""The judge of `sequence_models` (SPEC 4.5): recompute with `reference/` and compare.

The torch modules are judged by the framework's generic module kind (kinds.judge_module_aspect):
the student's parameters are copied into the reference by name, outputs and autograd gradients
compared on every grading device, known wrong modules name the likely bug. The rules (from
scratch for `vanilla_rnn`/`palindrome_lstm`, nn.RNN/GRU/LSTM required for `seq_*`) are the
framework's (rules.py). The training loop is replayed with the reference loop on the probe's
tiny model; the XOR weights are run recurrently on every binary sequence up to length 10.
"""
import inspect
import itertools
import math

import numpy as np
import torch
import torch.nn as nn

from handouts import sequence_helpers
from reference import sequence_models as ref
from grader_tests.framework.judging import kinds
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.contract.numerics import (INIT_BOUND_SLACK, UNIFORM_MAX_FRACTION, UNIFORM_MEAN_FRACTION,
                                             UNIFORM_STD_RATIO, close, max_abs_error, std_ratio_uniform)
from grader_tests.sequence_models import probe as P
from grader_tests.sequence_models.units import EXERCISES_NB, TABLE

HANDOUT_LOADER = harness.handout_loader(sequence_helpers)
TORCH_HEADER = """import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
"""
NUMPY_HEADER = "import math\nimport numpy as np\n"


def given_source(unit):
    """The namespace an answer cell runs in: the notebook's imports (and, in the models notebook,
    the course's copy of the handout sequence_helpers)."""
    if TABLE.unit(unit).notebook == EXERCISES_NB:
        return NUMPY_HEADER + "\n\n" + inspect.getsource(ref.step)
    return TORCH_HEADER + HANDOUT_LOADER


def _unanswered(name, info):
    if info.get("error") == "NotImplementedError":
        return f"{name} has not been answered yet (it raises NotImplementedError)."
    return None


# ---------------------------------------------------------------------------------------------
# Known wrong modules (parameters named as the contract's, so the student's copy into them)
# ---------------------------------------------------------------------------------------------

class _SoftmaxRNN(ref.VanillaRNN):
    def forward(self, x):
        return torch.softmax(super().forward(x), dim=1)


class _FirstStepRNN(ref.VanillaRNN):
    def forward(self, x):
        return super().forward(ref._steps(x, self.input_dim)[:, :1])


class _ReluRNN(ref.VanillaRNN):
    def forward(self, x):
        x = ref._steps(x, self.input_dim)
        h = x.new_zeros(x.shape[0], self.num_hidden)
        for t in range(x.shape[1]):
            h = torch.relu(x[:, t] @ self.W_hx + h @ self.W_hh + self.B_h)
        return h @ self.W_ph + self.B_y


class _SoftmaxLSTM(ref.LSTM):
    def forward(self, x):
        return torch.softmax(super().forward(x), dim=1)


class _FirstStepLSTM(ref.LSTM):
    def forward(self, x):
        return super().forward(ref._steps(x, self.input_dim)[:, :1])


class _NoTanhCellLSTM(ref.LSTM):
    def forward(self, x):
        x = ref._steps(x, self.input_dim)
        h = c = x.new_zeros(x.shape[0], self.num_hidden)
        for t in range(x.shape[1]):
            a = {k: x[:, t] @ getattr(self, f"W_{k}x") + h @ getattr(self, f"W_{k}h") + getattr(self, f"B_{k}")
                 for k in self.GATES}
            c = torch.tanh(a["g"]) * torch.sigmoid(a["i"]) + c * torch.sigmoid(a["f"])
            h = c * torch.sigmoid(a["o"])
        return h @ self.W_ph + self.B_y


def _swapped_lstm(first, second):
    class Swapped(ref.LSTM):
        def forward(self, x):
            x = ref._steps(x, self.input_dim)
            h = c = x.new_zeros(x.shape[0], self.num_hidden)
            for t in range(x.shape[1]):
                a = {k: x[:, t] @ getattr(self, f"W_{k}x") + h @ getattr(self, f"W_{k}h") + getattr(self, f"B_{k}")
                     for k in self.GATES}
                a[first], a[second] = a[second], a[first]
                c = torch.tanh(a["g"]) * torch.sigmoid(a["i"]) + c * torch.sigmoid(a["f"])
                h = torch.tanh(c) * torch.sigmoid(a["o"])
            return h @ self.W_ph + self.B_y
    return Swapped


def _softmax_seq(cls):
    class Softmaxed(cls):
        def forward(self, x):
            return torch.softmax(super().forward(x), dim=1)
    return Softmaxed


def _first_step_seq(cls):
    class FirstStep(cls):
        def forward(self, x):
            return super().forward(x[:, :1])
    return FirstStep


SOFTMAX_HINT = ("Return logits: no softmax at the end (CrossEntropyLoss applies log-softmax itself, "
                "and the tests compare logits).")
FIRST_STEP_HINT = "The class is read from the last step's hidden state (t = T - 1), not from the first."
MODULES = {
    "vanilla_rnn": (ref.VanillaRNN, [(_SoftmaxRNN, SOFTMAX_HINT), (_FirstStepRNN, FIRST_STEP_HINT),
                                     (_ReluRNN, "The recurrence uses tanh: h_t = tanh(x_t W_hx + h_{t-1} W_hh + B_h).")],
                    "Check h_t = tanh(x_t W_hx + h_{t-1} W_hh + B_h) from h_0 = 0 and logits = h_T W_ph + B_y."),
    "palindrome_lstm": (ref.LSTM, [(_SoftmaxLSTM, SOFTMAX_HINT), (_FirstStepLSTM, FIRST_STEP_HINT),
                                   (_NoTanhCellLSTM, "h_t = tanh(c_t) * o: apply tanh to the cell state."),
                                   (_swapped_lstm("i", "f"), "Check the gates: c = g * i + c * f (input gate i "
                                                             "on the candidate g, forget gate f on c)."),
                                   (_swapped_lstm("g", "o"), "Check the gates: g (tanh) is the candidate, o "
                                                             "(sigmoid) scales tanh(c).")],
                        "Check g = tanh(...), i, f, o = sigmoid(x W_*x + h W_*h + B_*), c = g * i + c * f, "
                        "h = tanh(c) * o from zeros, and logits = h_T W_ph + B_y."),
    "seq_rnn": (ref.myRNN, [(_softmax_seq(ref.myRNN), SOFTMAX_HINT), (_first_step_seq(ref.myRNN), FIRST_STEP_HINT)],
                "Run self.rnn on x (batch_first) from init_hidden and apply self.fc to the last step's output."),
    "seq_gru": (ref.myGatedRNN, [(_softmax_seq(ref.myGatedRNN), SOFTMAX_HINT),
                                 (_first_step_seq(ref.myGatedRNN), FIRST_STEP_HINT)],
                "Run self.rnn (an nn.GRU, batch_first) from init_hidden and apply self.fc to the last step's output."),
    "seq_lstm": (ref.myLSTM, [(_softmax_seq(ref.myLSTM), SOFTMAX_HINT), (_first_step_seq(ref.myLSTM), FIRST_STEP_HINT)],
                 "Run self.rnn (an nn.LSTM, batch_first) from init_hidden's (h0, c0) and apply self.fc to the "
                 "last step's output."),
}


def _judge_meta(name, unit, infos):
    for info, case in zip(infos, P.meta_cases(unit)):
        where = f"for {case.describe()}"
        if "error" in info:
            return (f"{name} failed when the module and its input live on another device than the CPU "
                    f"({info['error']}) {where}: create new tensors (the initial state) on x's device and "
                    "with x's dtype, e.g. x.new_zeros(B, H) or torch.zeros(..., device=x.device, dtype=x.dtype).")
        expected = [case.inputs[0][1][0], case.args[-1]]
        if info.get("shape") != expected or info.get("device") != "meta":
            return (f"{name} returned a tensor of shape {info.get('shape')} on {info.get('device')} for an input on "
                    f"another device {where}; expected shape {expected} on the input's device.")
    return None


def _judge_module(unit, aspect, infos, arrays, devices):
    name = P.UNITS[unit][0]
    reference, variants, generic = MODULES[unit]
    cases = {aspect: P.module_cases(unit, aspect)}
    n_real = len(cases[aspect]) * len(devices)
    message = kinds.judge_module_aspect(name, cases, aspect, infos[:n_real], arrays, devices, reference, variants)
    if message:
        if "differs from the expected value" in message and not any(h in message for _, h in variants):
            message = f"{message.rstrip('. ')}. {generic}"
        return message
    if aspect == "forward":
        return _judge_meta(name, unit, infos[n_real:])
    return None


def _judge_scratch_structure(unit, infos, arrays):
    name = P.UNITS[unit][0]
    info = infos[0]
    got = harness.case_arrays(arrays, "structure", 0)
    message = _unanswered(name, info)
    if message:
        return message
    where = f"for {name}{P.SCRATCH_STRUCTURE_ARGS} (seq_length, input_dim, num_hidden, num_classes)"
    if "error" in info:
        return f"{name} raised {info['error']} {where}."
    torch.manual_seed(0)
    expected = {n: tuple(p.shape) for n, p in MODULES[unit][0](*P.SCRATCH_STRUCTURE_ARGS).named_parameters()}
    params = {k[len("param:"):]: v for k, v in got.items() if k.startswith("param:")}
    missing = sorted(set(expected) - set(params))
    if missing:
        return (f"{name} has no parameter {', '.join(missing)} {where}: register nn.Parameters with the "
                f"contract's names ({', '.join(expected)}).")
    for pname, shape in expected.items():
        value = params[pname]
        if value.shape != shape:
            return f"{pname} has shape {value.shape}, expected {shape} {where}."
        if pname.startswith("B_"):
            if np.any(value != 0):
                return f"{pname} must start at zero {where}."
            continue
        bound = 1.0 / math.sqrt(shape[0])
        top = float(np.abs(value).max())
        low, high = UNIFORM_STD_RATIO
        if (top > bound * (1 + INIT_BOUND_SLACK["float32"]) or top < UNIFORM_MAX_FRACTION * bound
                or not low < std_ratio_uniform(value, bound) < high or abs(value.mean()) > UNIFORM_MEAN_FRACTION * bound):
            return (f"{pname} does not look uniform in +-1/sqrt({shape[0]}) = +-{bound:.3g} {where} (max |value| "
                    f"{top:.3g}, std {value.std():.3g}, expected {bound / math.sqrt(3):.3g}): draw each weight "
                    "uniformly in +-1/sqrt(rows), rows being its first dimension.")
    return None


def _judge_hidden(unit, infos):
    name = P.UNITS[unit][0]
    lstm = unit == "seq_lstm"
    for info in infos:
        message = _unanswered(name, info)
        if message:
            return message
        args, batch, dtype, device = info["args"], info["batch"], info["dtype"], info["device"]
        where = f"for {name}{tuple(args)} in {dtype} on {device}, init_hidden({batch})"
        if "error" in info:
            return f"init_hidden raised {info['error']} {where}."
        parts = info.get("parts", [])
        if lstm and (info.get("kind") not in ("tuple", "list") or len(parts) != 2):
            return f"init_hidden must return a tuple (h0, c0) for the LSTM {where}; it returned a {info.get('kind')}."
        if not lstm and len(parts) != 1:
            return f"init_hidden must return one tensor h0 {where}; it returned a {info.get('kind')}."
        expected = [1, batch, args[1]]
        for part in parts:
            if "shape" not in part:
                return f"init_hidden returned a {part.get('type')} {where}, not a tensor."
            if part["shape"] != expected:
                return (f"init_hidden returned a tensor of shape {part['shape']} {where}; expected (num_layers, B, H) "
                        f"= {expected}.")
            if part["device"] != device:
                return (f"init_hidden put its zeros on {part['device']} while the module lives on {device} {where}: "
                        "create them on the module's device (e.g. next(self.parameters()).device).")
            if part["dtype"] != dtype:
                return (f"init_hidden returned {part['dtype']} zeros for a {dtype} module {where}: use the "
                        "module's dtype.")
            if not part["zero"]:
                return f"init_hidden must return zeros {where}."
    return None


# ---------------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------------

COUNT_VARIANTS = [
    (lambda d, h, c: 4 * (d * h + h * h) + h * c + c, "Count the four gates' biases too (B_g, B_i, B_f, B_o)."),
    (lambda d, h, c: 4 * (d * h + h * h + h), "Count the output layer too: W_ph (H x C) and B_y (C)."),
    (lambda d, h, c: 3 * (d * h + h * h + h) + h * c + c, "The LSTM has four gate blocks (g, i, f, o), each "
                                                          "with an input weight, a hidden weight and a bias."),
    (lambda d, h, c: 4 * (d * h + h * h + 2 * h) + h * c + c, "Each gate has one bias (B_*), not two."),
    (lambda d, h, c: 4 * (d * h + h * h + h) + h * c, "Count the output bias B_y too."),
]


def _judge_param_count(infos):
    for info, size in zip(infos, P.PARAM_COUNT_SIZES):
        message = _unanswered("lstm_num_params", info)
        if message:
            return message
        where = f"for lstm_num_params{size}"
        if "error" in info:
            return f"lstm_num_params raised {info['error']} {where}."
        expected = ref.lstm_num_params(*size)
        value = info.get("value")
        if not isinstance(value, int):
            return f"lstm_num_params returned {value} {where}; return an int."
        if value != expected:
            named = next((h for f, h in COUNT_VARIANTS if f(*size) == value), None)
            return (f"lstm_num_params returned {value} {where}, but the LSTM has {expected} parameters. "
                    f"{named or 'Count every parameter of the LSTM class: four gates (x and h weights, a bias) and the output layer.'}")
        if info.get("type") != "int":
            return f"lstm_num_params returned a {info.get('type')} {where}; return a Python int."
    return None


# a fraction of at most 16 samples computed in float32 (the mean of a float tensor) or float64:
# rounding stays below 1e-7, distinct answers differ by 1/16 or more
ERROR_TOLERANCE = 1e-6


def _judge_batch_error(infos):
    for info, case in zip(infos, P.ERROR_CASES):
        message = _unanswered("batch_error", info)
        if message:
            return message
        where = f"for {case.describe()}"
        if "error" in info:
            return f"batch_error raised {info['error']} {where}. {case.hint}".strip()
        outputs, labels = case.inputs()
        expected = ref.batch_error(outputs, labels)
        value = info.get("value")
        if value is None:
            return f"batch_error returned a {info.get('type')} that is not one number {where}; return a float."
        if abs(value - expected) > ERROR_TOLERANCE:
            if abs(value - (1 - expected)) < ERROR_TOLERANCE:
                hint = "You return the accuracy: return the fraction misclassified (1 - accuracy)."
            elif abs(value - expected * case.B) < ERROR_TOLERANCE * case.B:
                hint = "Return the fraction of the batch misclassified, not the count."
            else:
                hint = case.hint or "Compare outputs.argmax(dim=1) (one class per row) with labels."
            return f"batch_error returned {value:.4g} {where}, expected {expected:.4g}. {hint}"
        if info.get("type") != "float":
            return f"batch_error returned a {info.get('type')} {where}; return a Python float (e.g. with .item())."
    return None


def _reference_train(case, device="cpu", optimizer=None, zero_grad=True, lr=None, sgd=False):
    dtype, epochs, case_lr, batch_size = case
    model = P.tiny_model(dtype).to(device)
    loader = P.tiny_loader(dtype, batch_size)
    lr = case_lr if lr is None else lr
    opt = (torch.optim.SGD if sgd else torch.optim.Adam)(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    losses = []
    for _ in range(epochs):
        total, batches = 0.0, 0
        for x, y in loader:
            if zero_grad:
                opt.zero_grad()
            loss = loss_fn(model(x.to(device)), y.to(device))
            loss.backward()
            opt.step()
            total += loss.item()
            batches += 1
        losses.append(total / batches)
    return {n: p.detach().cpu().double().numpy() for n, p in model.named_parameters()}, np.array(losses)


TRAIN_VARIANTS = [
    (dict(sgd=True), "Use Adam (torch.optim.Adam(model.parameters(), lr=lr)), not SGD."),
    (dict(zero_grad=False), "Call optimizer.zero_grad() before each backward: the gradients pile up across batches."),
    (dict(lr=1e-3), "Pass the lr argument to the optimizer (not the default 1e-3)."),
    (dict(lr=0.01), "Pass the lr argument to the optimizer."),
]


def _judge_train(aspect, infos, arrays, devices):
    cases = P.TRAIN_CASES if aspect == "replay" else P.TRAIN_CASES[:1]
    if len(infos) < len(cases):
        return "The grader could not run every check on your code (it stopped early)."
    for k, case in enumerate(cases):
        info, got = infos[k], harness.case_arrays(arrays, aspect, k)
        dtype, epochs, lr, batch_size = case
        where = f"for a small model trained {epochs} epochs on 22 samples in batches of {batch_size}, lr={lr:g}"
        message = _unanswered("train", info)
        if message:
            return message
        if "error" in info:
            return f"train raised {info['error']} {where}."
        losses = got.get("losses")
        if aspect == "mode":
            if True not in info.get("modes", []) or False in info.get("modes", []):
                return (f"The model ran in eval mode during training {where}: call model.train() before the "
                        "epochs (dropout and batch-norm layers behave differently in training).")
            if info.get("moved") == 0:
                return (f"The batches are never moved to the model's device {where}: x, y = x.to(device), "
                        "y.to(device) with device = next(model.parameters()).device.")
            if info.get("devices") and info["devices"] != [info.get("model_device")]:
                return (f"The batches stayed on {info['devices']} while the model is on {info.get('model_device')} "
                        f"{where}: move x and y to the model's device.")
            continue
        if losses is None or len(losses) != epochs:
            n = None if losses is None else len(losses)
            hint = (" (one per batch?)" if n and n > epochs else "")
            return f"train returned {n} losses {where}; return one mean loss per epoch ({epochs}){hint}."
        params, expected_losses = _reference_train(case)
        mine = {key[len("param:"):]: v for key, v in got.items() if key.startswith("param:")}
        params_ok = all(close(mine[n], params[n], dtype) for n in params if n in mine)
        losses_ok = close(losses, expected_losses, dtype)
        if params_ok and losses_ok:
            continue
        if params_ok:
            batches = -(-22 // batch_size)
            if close(losses, expected_losses * batches, dtype):
                return f"train returned the sum of each epoch's batch losses {where}: return their mean."
            return (f"The losses differ from the mean batch loss of each epoch {where} (expected "
                    f"{np.round(expected_losses, 4).tolist()}, got {np.round(losses, 4).tolist()}): record "
                    "loss.item() of every batch and average them per epoch.")
        named = None
        for flags, hint in TRAIN_VARIANTS:
            variant, _ = _reference_train(case, **flags)
            if all(n in mine and close(mine[n], variant[n], dtype) for n in variant):
                named = hint
                break
        if named is None and info.get("calls", 0) != epochs * -(-22 // batch_size):
            named = f"The model was called {info.get('calls')} times: one forward per batch and epoch."
        worst = max(max_abs_error(mine[n], params[n]) for n in params if n in mine) if mine else float("inf")
        return (f"The trained parameters differ from those of a correct training loop {where} (max abs error "
                f"{worst:.3g}). {named or 'For every batch: zero_grad, forward, loss, backward, Adam step.'}")
    return None


def _judge_optimizers(infos):
    info = infos[0]
    message = _unanswered("make_optimizers", info)
    if message:
        return message
    if "error" in info:
        return f"make_optimizers raised {info['error']} (for nn.RNN(2, 3), nn.LSTM(2, 3), lr=0.05)."
    torch.manual_seed(0)
    wanted = {"rnn": sorted(f"rnn.{n}" for n, _ in nn.RNN(2, 3).named_parameters()),
              "lstm": sorted(f"lstm.{n}" for n, _ in nn.LSTM(2, 3).named_parameters())}
    for label in ("rnn", "lstm"):
        entry = info.get(label, {})
        what = f"The optimizer for the {label.upper()}"
        if not entry.get("is_optimizer"):
            return f"{what} is a {entry.get('type')}, not a torch optimizer."
        if entry.get("type") != "SGD":
            return f"{what} is {entry.get('type')}: use torch.optim.SGD."
        if entry.get("params") != wanted[label]:
            other = "lstm" if label == "rnn" else "rnn"
            if entry.get("params") == wanted[other]:
                return (f"{what} updates the {other.upper()}'s parameters: build each optimizer over its own "
                        f"model ({label}.parameters()).")
            return f"{what} must hold exactly the {label.upper()}'s parameters ({label}.parameters())."
        if entry.get("lr") != [0.05]:
            return f"{what} has lr {entry.get('lr')}, expected the lr argument (0.05)."
        if entry.get("momentum") not in ([0.0], []) or entry.get("weight_decay") not in ([0.0], []):
            return (f"{what} uses momentum {entry.get('momentum')} and weight decay {entry.get('weight_decay')}: "
                    "plain SGD (neither).")
    return None


RATIO_HINTS = {
    "sigmoid_grad_approx": "With sigma(e) ~ 1/2 + e/4, sigma'(e) = sigma(e) (1 - sigma(e)) ~ 1/4 - e^2/16.",
    "tanh_grad_approx": "With tanh(e) ~ e, tanh'(e) = 1 - tanh(e)^2 ~ 1 - e^2.",
    "rho_approx": "rho_approx(e) = sigmoid_grad_approx(e) / tanh_grad_approx(e).",
    "rho": "rho(e) = sigma'(e) / tanh'(e) with the true derivatives sigma (1 - sigma) and 1 - tanh^2.",
}


def _judge_ratio(aspect, infos, arrays):
    info = infos[0]
    got = harness.case_arrays(arrays, aspect, 0)
    first = "INTERVAL" if aspect == "interval" else "sigmoid_grad_approx"
    message = _unanswered(first, info)
    if message:
        return message
    if "error" in info:
        return f"Your answer raised {info['error']}" + (" (INTERVAL must be a tuple (low, high))." if aspect == "interval"
                                                       else " (the functions must accept numpy arrays).")
    if aspect == "interval":
        interval = got.get("interval")
        if interval is None or interval.shape != (2,):
            return f"INTERVAL must be a tuple (low, high), not a {info.get('interval_type')}."
        err = float(np.max(np.abs(interval - np.asarray(ref.INTERVAL))))
        if err > 5e-3:
            return (f"INTERVAL = ({interval[0]:.4g}, {interval[1]:.4g}) is not where 1/4 - e^2/16 <= 1 - e^2 within "
                    "|e| < 1: solve the inequality for e^2 (the interval is symmetric around 0).")
        return None
    for name in P.RATIO_NAMES:
        for key, eps in P.RATIO_INPUTS.items():
            mine = got.get(f"{name}:{key}")
            expected = getattr(ref, name)(eps)
            if mine is None or mine.shape != expected.shape:
                return (f"{name} returned shape {None if mine is None else mine.shape} for an array eps of shape "
                        f"{eps.shape}: compute elementwise with numpy (vectorised), keeping the shape.")
            if not close(mine, expected, "float64"):
                if name in ("rho_approx", "rho") and close(mine, 1.0 / expected, "float64"):
                    return f"{name} is inverted: the ratio is the sigmoid derivative over the tanh derivative."
                return (f"{name} differs from the expected values for eps of shape {eps.shape} (max abs error "
                        f"{max_abs_error(mine, expected):.3g}). {RATIO_HINTS[name]}")
    return None


# ---------------------------------------------------------------------------------------------
# xor_network (a value answer: plain data)
# ---------------------------------------------------------------------------------------------

def _weights(values):
    weights = values.get("XOR_WEIGHTS")
    if not isinstance(weights, dict):
        return None, f"XOR_WEIGHTS must be a dict with keys W1, b1, w2, b2, not {weights!r}."
    shapes = {"W1": (2, 2), "b1": (2,), "w2": (2,), "b2": ()}
    out = {}
    for key, shape in shapes.items():
        if key not in weights:
            return None, f"XOR_WEIGHTS has no {key} (keys W1, b1, w2, b2)."
        try:
            arr = np.asarray(weights[key], dtype=np.float64)
        except (TypeError, ValueError):
            return None, f"XOR_WEIGHTS['{key}'] must hold numbers."
        if arr.shape != shape and not (key == "b2" and arr.size == 1):
            return None, f"XOR_WEIGHTS['{key}'] has shape {arr.shape}, expected {shape}."
        out[key] = arr.reshape(shape) if key == "b2" else arr
    return out, None


def judge_values(unit, aspect, values):
    weights, message = _weights(values)
    if message:
        return message
    s1 = values.get("S1")
    if s1 not in (0, 1, 0.0, 1.0, True, False):
        return f"S1 must be 0 or 1, not {s1!r}."
    table = {(x, s): ref.run_xor_network(weights, s, [x])[0] for x in (0, 1) for s in (0, 1)}
    wrong = [(x, s) for (x, s), y in table.items() if y != (x ^ s)]
    if wrong:
        x, s = wrong[0]
        return (f"The network does not compute y = x XOR s: for x = {x}, s = {s} it outputs {table[(x, s)]:g}. "
                "Let the two hidden units compute x OR s and x AND s, and the output OR and not AND.")
    for length in range(1, 11):
        for xs in itertools.product((0, 1), repeat=length):
            ys = ref.run_xor_network(weights, s1, xs)
            expected = list(itertools.accumulate(xs, lambda a, b: a ^ b))
            if ys != expected:
                return (f"Run recurrently from S1 = {s1}, the network outputs {[int(y) for y in ys]} for x = "
                        f"{list(xs)}, not the running XOR {expected}: choose S1 so that y[1] = x[1].")
    return None


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------

def judge_aspect(unit, aspect, infos, arrays, devices):
    devices = list(devices or ["cpu"])
    if unit in MODULES:
        if aspect == "structure":
            return _judge_scratch_structure(unit, infos, arrays)
        if aspect == "hidden":
            return _judge_hidden(unit, infos)
        return _judge_module(unit, aspect, infos, arrays, devices)
    if unit == "lstm_param_count":
        return _judge_param_count(infos)
    if unit == "batch_error":
        return _judge_batch_error(infos)
    if unit == "train_loop":
        return _judge_train(aspect, infos, arrays, devices)
    if unit == "make_optimizers":
        return _judge_optimizers(infos)
    if unit == "activation_ratio":
        return _judge_ratio(aspect, infos, arrays)
    raise KeyError(unit)
