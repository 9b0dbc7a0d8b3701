"""The judge of `sequence_models` (SPEC 4.5): recompute with `reference/` and compare.

Every graded unit has its spec in `JUDGES`. The torch modules are the framework's `ModuleJudge`s:
the student's parameters are copied into the reference by name, outputs and autograd gradients
compared on every grading device, known wrong modules (`MODULES`) name the likely bug, and the
contract checks every module unit gets (the constructor's defaults, the output after earlier
calls); the from-scratch models add the meta-device pass and their initial parameters, the
`seq_*` modules init_hidden's state. The rules (from scratch for `vanilla_rnn`/`palindrome_lstm`,
nn.RNN/GRU/LSTM required for `seq_*`) are the framework's (rules.py). The training loop is
replayed with the reference loop on the probe's tiny model; the XOR weights are run recurrently
on every binary sequence up to length 10.
"""
import dataclasses
import itertools
import math
import typing

import numpy as np
import torch
import torch.nn as nn

from reference import sequence_models as ref
from grader_tests.framework.contract import verdict as v
from grader_tests.framework.contract.numerics import (INIT_BOUND_SLACK, UNIFORM_MAX_FRACTION, close, max_abs_error,
                                                      std_ratio_uniform, uniform_mean_limit, uniform_std_band)
from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.judging.kinds import ModuleJudge, UnitJudge, judges_for
from grader_tests.sequence_models import probe as P
from grader_tests.sequence_models.probe import PROBES
from grader_tests.sequence_models.units import TABLE

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


SOFTMAX = Hint("sequence_models:softmax_output", "Return logits: no softmax at the end (CrossEntropyLoss applies "
               "log-softmax itself, and the tests compare logits).")
FIRST_STEP = Hint("sequence_models:first_step", "The class is read from the last step's hidden state (t = T - 1), "
                  "not from the first.")


class ModuleSpec(typing.NamedTuple):
    """A module unit's reference class, its known wrong variants [(class, Hint)], and the hint
    when none of them matches and the case has none."""
    reference: type
    variants: list
    hint: Hint


MODULES = {
    "vanilla_rnn": ModuleSpec(
        ref.VanillaRNN,
        [(_SoftmaxRNN, SOFTMAX), (_FirstStepRNN, FIRST_STEP),
         (_ReluRNN, Hint("vanilla_rnn:relu", "The recurrence uses tanh: h_t = tanh(x_t W_hx + h_{t-1} W_hh + B_h)."))],
        Hint("vanilla_rnn:generic", "Check h_t = tanh(x_t W_hx + h_{t-1} W_hh + B_h) from h_0 = 0 and "
             "logits = h_T W_ph + B_y.")),
    "palindrome_lstm": ModuleSpec(
        ref.LSTM,
        [(_SoftmaxLSTM, SOFTMAX), (_FirstStepLSTM, FIRST_STEP),
         (_NoTanhCellLSTM, Hint("palindrome_lstm:h_without_tanh", "h_t = tanh(c_t) * o: apply tanh to the cell state.")),
         (_swapped_lstm("i", "f"), Hint("palindrome_lstm:input_forget_swapped", "Check the gates: c = g * i + c * f "
                                        "(input gate i on the candidate g, forget gate f on c).")),
         (_swapped_lstm("g", "o"), Hint("palindrome_lstm:candidate_output_swapped", "Check the gates: g (tanh) is the "
                                        "candidate, o (sigmoid) scales tanh(c)."))],
        Hint("palindrome_lstm:generic", "Check g = tanh(...), i, f, o = sigmoid(x W_*x + h W_*h + B_*), c = g * i + "
             "c * f, h = tanh(c) * o from zeros, and logits = h_T W_ph + B_y.")),
    "seq_rnn": ModuleSpec(
        ref.myRNN, [(_softmax_seq(ref.myRNN), SOFTMAX), (_first_step_seq(ref.myRNN), FIRST_STEP)],
        Hint("seq_rnn:generic", "Run self.rnn on x (batch_first) from init_hidden and apply self.fc to the last "
             "step's output.")),
    "seq_gru": ModuleSpec(
        ref.myGatedRNN, [(_softmax_seq(ref.myGatedRNN), SOFTMAX), (_first_step_seq(ref.myGatedRNN), FIRST_STEP)],
        Hint("seq_gru:generic", "Run self.rnn (an nn.GRU, batch_first) from init_hidden and apply self.fc to the "
             "last step's output.")),
    "seq_lstm": ModuleSpec(
        ref.myLSTM, [(_softmax_seq(ref.myLSTM), SOFTMAX), (_first_step_seq(ref.myLSTM), FIRST_STEP)],
        Hint("seq_lstm:generic", "Run self.rnn (an nn.LSTM, batch_first) from init_hidden's (h0, c0) and apply "
             "self.fc to the last step's output.")),
}


def _or_unit_hint(found, hint):
    """`found` with the unit's own hint when its values or gradients differ and nothing more
    specific (a known wrong variant, the case's hint) names the likely bug."""
    if found is not None and found.symptom in ("values", "gradient") and not found.hint:
        return dataclasses.replace(found, hint=hint)
    return found


# ---------------------------------------------------------------------------------------------
# The from-scratch models: values, the meta-device pass, the initial parameters
# ---------------------------------------------------------------------------------------------

FIXED_DEVICE = Hint("sequence_models:fixed_device", "Create new tensors (the initial state) on x's device and "
                    "with x's dtype, e.g. x.new_zeros(B, H) or torch.zeros(..., device=x.device, dtype=x.dtype).")
BIAS_ZERO = Hint("sequence_models:bias_not_zero", "Biases start at zero: nn.Parameter(torch.zeros(...)).")
INIT_UNIFORM = Hint("sequence_models:init_uniform", "Draw each weight uniformly in +-1/sqrt(rows), rows being its "
                    "first dimension.")


def judge_meta(name, case, info):
    """The module and its input on torch's meta device (shapes only): an error or a CPU output
    means a tensor made on a fixed device."""
    where = f"for {case.describe()} with the module and its input on a non-CPU device"
    if "error" in info:
        return v.raised(name, info["error"], where, FIXED_DEVICE)
    expected = [case.inputs[0][1][0], case.args[-1]]
    if info.get("shape") != expected or info.get("device") != "meta":
        return v.contract("The output", f"has shape {info.get('shape')} on {info.get('device')}; expected shape "
                          f"{expected} on the input's device", where, FIXED_DEVICE, "dtype")
    return None


def judge_initial_parameters(name, reference, case, got):
    """Parameter names and shapes of `reference(*case.args)`, weights uniform in +-1/sqrt(rows)
    (within the bound, and spread like a uniform), biases zero."""
    where = f"for {case.describe()}"
    torch.manual_seed(0)
    expected = {n: tuple(p.shape) for n, p in reference(*case.args).named_parameters()}
    params = {k[len("param:"):]: value for k, value in got.items() if k.startswith("param:")}
    missing = sorted(set(expected) - set(params))
    if missing:
        return v.contract(name, f"has no parameter {', '.join(missing)}", where,
                          Hint("sequence_models:parameter_names", "Register nn.Parameters with the contract's "
                               f"names ({', '.join(expected)})."), "missing")
    for pname, shape in expected.items():
        value = params[pname]
        if value.shape != shape:
            return v.wrong_shape(pname, value.shape, shape, where)
        if pname.startswith("B_"):
            if np.any(value != 0):
                return v.contract(pname, "is not zero at initialisation", where, BIAS_ZERO, "values")
            continue
        bound = 1.0 / math.sqrt(shape[0])
        top = float(np.abs(value).max())
        low, high = uniform_std_band(value.size)
        if (top > bound * (1 + INIT_BOUND_SLACK["float32"]) or top < UNIFORM_MAX_FRACTION * bound
                or not low < std_ratio_uniform(value, bound) < high
                or abs(value.mean()) > uniform_mean_limit(value.size) * bound):
            return v.contract(pname, f"does not look uniform in +-1/sqrt({shape[0]}) = +-{bound:.3g} (max |value| "
                              f"{top:.3g}, std {value.std():.3g}, expected {bound / math.sqrt(3):.3g})", where,
                              INIT_UNIFORM, "values")
    return None


class ScratchModelJudge(ModuleJudge):
    """A from-scratch model (`probe.ScratchModelProbe`): the module kind's checks on the real
    devices (with the unit's own hint when no variant names the bug), the meta-device pass, and
    for `structure` the initial parameters."""

    def __init__(self, spec):
        super().__init__(reference=spec.reference, variants=spec.variants)
        self.unit_hint = spec.hint

    def judge_error(self, judging, case, device, got, info):
        if device == "meta":
            return None            # judge_meta names the fixed device
        return super().judge_error(judging, case, device, got, info)

    def judge_case(self, judging, case, device, got, info):
        if judging.aspect == "structure":
            return judge_initial_parameters(judging.name, self.reference, case, got)
        if device == "meta":
            return judge_meta(judging.name, case, info)
        return _or_unit_hint(super().judge_case(judging, case, device, got, info), self.unit_hint)


# ---------------------------------------------------------------------------------------------
# The sequence modules: values, and init_hidden's state
# ---------------------------------------------------------------------------------------------

HIDDEN_SHAPE = Hint("sequence_models:hidden_shape", "The initial state has shape (num_layers, B, H) = (1, B, H).")
HIDDEN_DEVICE = Hint("sequence_models:hidden_device", "Create the initial state on the module's device (e.g. "
                     "next(self.parameters()).device).")
HIDDEN_DTYPE = Hint("sequence_models:hidden_dtype", "Create the initial state with the module's dtype (e.g. "
                    "next(self.parameters()).dtype).")
HIDDEN_ZEROS = Hint("sequence_models:hidden_zeros", "The initial state is zeros.")
HIDDEN_PARTS = {1: Hint("sequence_models:hidden_one_tensor", "init_hidden returns one tensor h0."),
                2: Hint("seq_lstm:hidden_tuple", "The LSTM's init_hidden returns a tuple (h0, c0).")}


def judge_hidden(case, info, parts_expected):
    """What init_hidden returned for one `probe.HiddenCase`: `parts_expected` tensors (a tuple
    when 2) of zeros of shape (1, B, H) on the module's device and in its dtype."""
    where = f"for {case.describe()}"
    parts = info.get("parts", [])
    is_tuple = info.get("kind") in ("tuple", "list")
    if len(parts) != parts_expected or (parts_expected > 1 and not is_tuple):
        return v.contract("init_hidden", f"returned a {info.get('kind')}" + (f" of {len(parts)}" if is_tuple else ""),
                          where, HIDDEN_PARTS[parts_expected])
    expected = (1, case.batch, case.args[1])
    for part in parts:
        if "shape" not in part:
            return v.contract("init_hidden", f"returned a {part.get('type')}, not a tensor", where,
                              HIDDEN_PARTS[parts_expected])
        if tuple(part["shape"]) != expected:
            return v.wrong_shape("init_hidden's state", tuple(part["shape"]), expected, where, HIDDEN_SHAPE)
        if part["device"] != case.device:
            return v.contract("init_hidden", f"put its zeros on {part['device']} while the module lives on "
                              f"{case.device}", where, HIDDEN_DEVICE, "dtype")
        if part["dtype"] != case.dtype:
            return v.contract("init_hidden", f"returned {part['dtype']} zeros for a {case.dtype} module", where,
                              HIDDEN_DTYPE, "dtype")
        if not part["zero"]:
            return v.contract("init_hidden", "does not return zeros", where, HIDDEN_ZEROS, "values")
    return None


class SequenceModuleJudge(ModuleJudge):
    """A classifier on torch's recurrent modules (`probe.SequenceModuleProbe`): the module kind's
    checks for `forward` (with the unit's own hint when no variant names the bug); `hidden`:
    init_hidden's state, `state_parts` tensors (2 for the LSTM's (h0, c0))."""

    def __init__(self, spec, state_parts=1):
        super().__init__(reference=spec.reference, variants=spec.variants)
        self.unit_hint, self.state_parts = spec.hint, state_parts

    def judge_error(self, judging, case, device, got, info):
        if judging.aspect == "hidden" and "error" in info and not str(info["error"]).startswith("NotImplementedError"):
            return v.raised("init_hidden", info["error"], self.where(case, device))
        return super().judge_error(judging, case, device, got, info)

    def judge_case(self, judging, case, device, got, info):
        if judging.aspect == "hidden":
            return judge_hidden(case, info, self.state_parts)
        return _or_unit_hint(super().judge_case(judging, case, device, got, info), self.unit_hint)


# ---------------------------------------------------------------------------------------------
# lstm_param_count
# ---------------------------------------------------------------------------------------------

COUNT_VARIANTS = [
    (lambda d, h, c: 4 * (d * h + h * h) + h * c + c,
     Hint("lstm_param_count:no_gate_biases", "Count the four gates' biases too (B_g, B_i, B_f, B_o).")),
    (lambda d, h, c: 4 * (d * h + h * h + h),
     Hint("lstm_param_count:no_output_layer", "Count the output layer too: W_ph (H x C) and B_y (C).")),
    (lambda d, h, c: 3 * (d * h + h * h + h) + h * c + c,
     Hint("lstm_param_count:three_gates", "The LSTM has four gate blocks (g, i, f, o), each with an input weight, "
          "a hidden weight and a bias.")),
    (lambda d, h, c: 4 * (d * h + h * h + 2 * h) + h * c + c,
     Hint("lstm_param_count:two_biases", "Each gate has one bias (B_*), not two.")),
    (lambda d, h, c: 4 * (d * h + h * h + h) + h * c,
     Hint("lstm_param_count:no_output_bias", "Count the output bias B_y too.")),
]
COUNT_EVERYTHING = Hint("lstm_param_count:generic", "Count every parameter of the LSTM class: four gates (x and h "
                        "weights, a bias) and the output layer.")
RETURN_INT = Hint("lstm_param_count:return_int", "Return a Python int.")


def judge_param_count(judging, case, device, got, info):
    counted = f"lstm_num_params{case.sizes}"
    expected = ref.lstm_num_params(*case.sizes)
    value = info.get("value")
    if not isinstance(value, int):
        return v.contract(counted, f"returned {value}", hint=RETURN_INT)
    if value != expected:
        named = next((hint for count, hint in COUNT_VARIANTS if count(*case.sizes) == value), None)
        return v.failed(counted, f"returned {value}, but the LSTM has {expected} parameters",
                        hint=named or COUNT_EVERYTHING, symptom="values")
    if info.get("type") != "int":
        return v.contract(counted, f"returned a {info.get('type')}", hint=RETURN_INT)
    return None


# ---------------------------------------------------------------------------------------------
# batch_error
# ---------------------------------------------------------------------------------------------

# a fraction of at most 16 samples computed in float32 (the mean of a float tensor) or float64:
# rounding stays below 1e-7, distinct answers differ by 1/16 or more
ERROR_TOLERANCE = 1e-6
RETURNS_ACCURACY = Hint("batch_error:returns_accuracy", "You return the accuracy: return the fraction misclassified "
                        "(1 - accuracy).")
RETURNS_COUNT = Hint("batch_error:returns_count", "Return the fraction of the batch misclassified, not the count.")
COMPARE_ARGMAX = Hint("batch_error:generic", "Compare outputs.argmax(dim=1) (one class per row) with labels.")
RETURN_FLOAT = Hint("batch_error:return_float", "Return a Python float (e.g. with .item()).")


def judge_batch_error(judging, case, device, got, info):
    where = f"for {case.describe()}"
    outputs, labels = case.inputs()
    expected = ref.batch_error(outputs, labels)
    value = info.get("value")
    if value is None:
        return v.contract("batch_error", f"returned a {info.get('type')} that is not one number", where, RETURN_FLOAT)
    if abs(value - expected) > ERROR_TOLERANCE:
        if abs(value - (1 - expected)) < ERROR_TOLERANCE:
            hint = RETURNS_ACCURACY
        elif abs(value - expected * case.B) < ERROR_TOLERANCE * case.B:
            hint = RETURNS_COUNT
        else:
            hint = case.hint or COMPARE_ARGMAX
        return v.failed("batch_error", f"returned {value:.4g}, expected {expected:.4g}", where, hint, "values")
    if info.get("type") != "float":
        return v.contract("batch_error", f"returned a {info.get('type')}", where, RETURN_FLOAT)
    return None


# ---------------------------------------------------------------------------------------------
# train_loop
# ---------------------------------------------------------------------------------------------

def _reference_train(case, device="cpu", zero_grad=True, lr=None, sgd=False):
    """The reference loop (Adam, zero_grad per batch, model.train()) on the probe's tiny model,
    or one of its known wrong variants: (parameters, per-epoch mean losses)."""
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
    (dict(sgd=True), Hint("train_loop:sgd", "Use Adam (torch.optim.Adam(model.parameters(), lr=lr)), not SGD.")),
    (dict(zero_grad=False), Hint("train_loop:no_zero_grad", "Call optimizer.zero_grad() before each backward: the "
                                 "gradients pile up across batches.")),
    (dict(lr=1e-3), Hint("train_loop:default_lr", "Pass the lr argument to the optimizer (not the default 1e-3).")),
    (dict(lr=0.01), Hint("train_loop:lr_not_passed", "Pass the lr argument to the optimizer.")),
]
TRAIN_MODE = Hint("train_loop:train_mode", "Call model.train() before the epochs (dropout and batch-norm layers "
                  "behave differently in training).")
BATCHES_NOT_MOVED = Hint("train_loop:batches_not_moved", "x, y = x.to(device), y.to(device) with device = "
                         "next(model.parameters()).device.")
BATCHES_DEVICE = Hint("train_loop:batches_device", "Move x and y to the model's device.")
SUM_NOT_MEAN = Hint("train_loop:sum_not_mean", "Return the mean of each epoch's batch losses, not their sum.")
EPOCH_MEAN = Hint("train_loop:epoch_mean", "Record loss.item() of every batch and average them per epoch.")
TRAIN_STEPS = Hint("train_loop:generic", "For every batch: zero_grad, forward, loss, backward, Adam step.")


class TrainJudge(UnitJudge):
    """The training loop against the reference loop on the probe's tiny model (`replay`), and
    the model's mode and the batches' device during training (`mode`)."""

    def where(self, case, device, probe=None):
        return f"for {case.describe()}"

    def judge_case(self, judging, case, device, got, info):
        where = self.where(case, device)
        if judging.aspect == "mode":
            return self.judge_mode(where, info)
        losses = got.get("losses")
        if losses is None or len(losses) != case.epochs:
            n = None if losses is None else len(losses)
            return v.contract("train", f"returned {n} losses" + (" (one per batch?)" if n and n > case.epochs else ""),
                              where, Hint("train_loop:one_loss_per_epoch",
                                          f"Return one mean loss per epoch ({case.epochs})."))
        params, expected_losses = _reference_train(case)
        mine = {key[len("param:"):]: value for key, value in got.items() if key.startswith("param:")}
        params_ok = all(close(mine[n], params[n], case.dtype) for n in params if n in mine)
        if params_ok and close(losses, expected_losses, case.dtype):
            return None
        if params_ok:
            batches = -(-P.TRAIN_SAMPLES // case.batch_size)
            if close(losses, expected_losses * batches, case.dtype):
                return v.failed("train", "returned the sum of each epoch's batch losses", where, SUM_NOT_MEAN, "values")
            return v.failed("The losses", f"differ from the mean batch loss of each epoch (expected "
                            f"{np.round(expected_losses, 4).tolist()}, got {np.round(losses, 4).tolist()})", where,
                            EPOCH_MEAN, "values")
        named = next((hint for flags, hint in TRAIN_VARIANTS
                      if all(n in mine and close(mine[n], value, case.dtype)
                             for n, value in _reference_train(case, **flags)[0].items())), None)
        if named is None and info.get("calls", 0) != case.epochs * -(-P.TRAIN_SAMPLES // case.batch_size):
            named = Hint("train_loop:forward_calls", f"The model was called {info.get('calls')} times: one forward "
                         "per batch and epoch.")
        worst = max(max_abs_error(mine[n], params[n]) for n in params if n in mine) if mine else float("inf")
        return v.failed("The trained parameters", "differ from those of a correct training loop", where,
                        named or TRAIN_STEPS, "values", worst)

    @staticmethod
    def judge_mode(where, info):
        if True not in info.get("modes", []) or False in info.get("modes", []):
            return v.failed("The model", "ran in eval mode during training", where, TRAIN_MODE)
        if info.get("moved") == 0:
            return v.failed("The batches", "are never moved to the model's device", where, BATCHES_NOT_MOVED, "dtype")
        if info.get("devices") and info["devices"] != [info.get("model_device")]:
            return v.failed("The batches", f"stayed on {info['devices']} while the model is on "
                            f"{info.get('model_device')}", where, BATCHES_DEVICE, "dtype")
        return None


# ---------------------------------------------------------------------------------------------
# make_optimizers
# ---------------------------------------------------------------------------------------------

USE_SGD = Hint("make_optimizers:sgd", "Use torch.optim.SGD.")
PLAIN_SGD = Hint("make_optimizers:plain_sgd", "Plain SGD: neither momentum nor weight decay.")
PASS_LR = Hint("make_optimizers:lr", "Pass the lr argument on to each optimizer.")


def judge_optimizers(judging, case, device, got, info):
    where = f"for {case.describe()}"
    torch.manual_seed(0)
    wanted = {"rnn": sorted(f"rnn.{n}" for n, _ in nn.RNN(2, 3).named_parameters()),
              "lstm": sorted(f"lstm.{n}" for n, _ in nn.LSTM(2, 3).named_parameters())}
    for label, other in (("rnn", "lstm"), ("lstm", "rnn")):
        entry = info.get(label, {})
        what = f"The optimizer for the {label.upper()}"
        if not entry.get("is_optimizer"):
            return v.contract(what, f"is a {entry.get('type')}, not a torch optimizer", where, USE_SGD)
        if entry.get("type") != "SGD":
            return v.contract(what, f"is {entry.get('type')}", where, USE_SGD)
        if entry.get("params") != wanted[label]:
            if entry.get("params") == wanted[other]:
                return v.contract(what, f"updates the {other.upper()}'s parameters", where,
                                  Hint("make_optimizers:other_model", "Build each optimizer over its own model "
                                       f"({label}.parameters())."))
            return v.contract(what, f"does not hold exactly the {label.upper()}'s parameters", where,
                              Hint("make_optimizers:own_parameters", f"Build it over {label}.parameters() alone."))
        if entry.get("lr") != [case.lr]:
            return v.contract(what, f"has lr {entry.get('lr')}, expected the lr argument ({case.lr:g})", where, PASS_LR)
        if entry.get("momentum") not in ([0.0], []) or entry.get("weight_decay") not in ([0.0], []):
            return v.contract(what, f"uses momentum {entry.get('momentum')} and weight decay "
                              f"{entry.get('weight_decay')}", where, PLAIN_SGD)
    return None


# ---------------------------------------------------------------------------------------------
# activation_ratio
# ---------------------------------------------------------------------------------------------

RATIO_HINTS = {
    "sigmoid_grad_approx": Hint("activation_ratio:sigmoid_grad_approx", "With sigma(e) ~ 1/2 + e/4, sigma'(e) = "
                                "sigma(e) (1 - sigma(e)) ~ 1/4 - e^2/16."),
    "tanh_grad_approx": Hint("activation_ratio:tanh_grad_approx", "With tanh(e) ~ e, tanh'(e) = 1 - tanh(e)^2 ~ 1 - e^2."),
    "rho_approx": Hint("activation_ratio:rho_approx", "rho_approx(e) = sigmoid_grad_approx(e) / tanh_grad_approx(e)."),
    "rho": Hint("activation_ratio:rho", "rho(e) = sigma'(e) / tanh'(e) with the true derivatives sigma (1 - sigma) "
                "and 1 - tanh^2."),
}
VECTORISED = Hint("activation_ratio:vectorised", "Compute elementwise with numpy (vectorised), keeping the shape.")
INVERTED = Hint("activation_ratio:inverted", "The ratio is the sigmoid derivative over the tanh derivative.")
INTERVAL_TUPLE = Hint("activation_ratio:interval_tuple", "INTERVAL must be a tuple (low, high).")
INTERVAL_VALUES = Hint("activation_ratio:interval", "Solve the inequality for e^2 (the interval is symmetric around 0).")
ARRAYS_IN = Hint("activation_ratio:numpy_arrays", "The functions must accept numpy arrays.")
INTERVAL_TOLERANCE = 5e-3


class RatioJudge(UnitJudge):
    """The four ratio functions on arrays of eps against their closed forms (`values`), and
    INTERVAL (`interval`); a raised error names the answer, not one function."""

    def judge_error(self, judging, case, device, got, info):
        first = "INTERVAL" if judging.aspect == "interval" else judging.name
        if str(info.get("error", "")).startswith("NotImplementedError"):
            return v.not_answered(first)
        if "error" in info:
            return v.raised("Your answer", info["error"], hint=INTERVAL_TUPLE if judging.aspect == "interval"
                            else ARRAYS_IN)
        return None

    def judge_case(self, judging, case, device, got, info):
        if judging.aspect == "interval":
            return self.judge_interval(got, info)
        for name in P.RATIO_NAMES:
            for key, eps in P.RATIO_INPUTS.items():
                mine = got.get(f"{name}:{key}")
                expected = getattr(ref, name)(eps)
                where = f"for an array eps of shape {eps.shape}"
                if mine is None or mine.shape != expected.shape:
                    return v.wrong_shape(f"{name}'s output", None if mine is None else mine.shape, expected.shape,
                                         where, VECTORISED)
                if not close(mine, expected, "float64"):
                    if name in ("rho_approx", "rho") and close(mine, 1.0 / expected, "float64"):
                        return v.failed(name, "is inverted", where, INVERTED, "values")
                    return v.values_differ(name, where, max_abs_error(mine, expected), RATIO_HINTS[name],
                                           expected="the expected values")
        return None

    @staticmethod
    def judge_interval(got, info):
        interval = got.get("interval")
        if interval is None or interval.shape != (2,):
            size = "" if interval is None else f" of {interval.size} values"
            return v.contract("INTERVAL", f"is a {info.get('interval_type')}{size}", hint=INTERVAL_TUPLE)
        if float(np.max(np.abs(interval - np.asarray(ref.INTERVAL)))) > INTERVAL_TOLERANCE:
            return v.failed(f"INTERVAL = ({interval[0]:.4g}, {interval[1]:.4g})", "is not where 1/4 - e^2/16 <= "
                            "1 - e^2 within |e| < 1", hint=INTERVAL_VALUES, symptom="values")
        return None


# ---------------------------------------------------------------------------------------------
# xor_network (a value answer: plain data)
# ---------------------------------------------------------------------------------------------

XOR_SHAPES = {"W1": (2, 2), "b1": (2,), "w2": (2,), "b2": ()}
XOR_STEP = Hint("xor_network:single_step", "Let the two hidden units compute x OR s and x AND s, and the output "
                "OR and not AND.")
XOR_START = Hint("xor_network:s1", "Choose S1 so that y[1] = x[1].")


def _xor_weights(values):
    """(weights as float arrays, None), or (None, the verdict saying what is wrong with them)."""
    weights = values.get("XOR_WEIGHTS")
    if not isinstance(weights, dict):
        return None, v.contract("XOR_WEIGHTS", f"must be a dict with keys W1, b1, w2, b2, not {weights!r}",
                                symptom="value")
    out = {}
    for key, shape in XOR_SHAPES.items():
        if key not in weights:
            return None, v.contract("XOR_WEIGHTS", f"has no {key} (keys W1, b1, w2, b2)", symptom="value")
        try:
            arr = np.asarray(weights[key], dtype=np.float64)
        except (TypeError, ValueError):
            return None, v.contract(f"XOR_WEIGHTS['{key}']", "must hold numbers", symptom="value")
        if arr.shape != shape and not (key == "b2" and arr.size == 1):
            return None, v.contract(f"XOR_WEIGHTS['{key}']", f"has shape {arr.shape}, expected {shape}",
                                    symptom="value")
        out[key] = arr.reshape(shape) if key == "b2" else arr
    return out, None


def judge_xor(aspect, values):
    """The network run once on every (x, s), then recurrently from S1 on every binary sequence
    up to length 10: the running XOR."""
    weights, found = _xor_weights(values)
    if found:
        return found
    s1 = values.get("S1")
    if s1 not in (0, 1, 0.0, 1.0, True, False):
        return v.contract("S1", f"must be 0 or 1, not {s1!r}", symptom="value")
    table = {(x, s): ref.run_xor_network(weights, s, [x])[0] for x in (0, 1) for s in (0, 1)}
    wrong = [(x, s) for (x, s), y in table.items() if y != (x ^ s)]
    if wrong:
        x, s = wrong[0]
        return v.failed("The network", f"does not compute y = x XOR s: for x = {x}, s = {s} it outputs "
                        f"{table[(x, s)]:g}", hint=XOR_STEP, symptom="value")
    for length in range(1, 11):
        for xs in itertools.product((0, 1), repeat=length):
            ys = ref.run_xor_network(weights, s1, xs)
            expected = list(itertools.accumulate(xs, lambda a, b: a ^ b))
            if ys != expected:
                return v.failed(f"Run recurrently from S1 = {s1}, the network", f"outputs {[int(y) for y in ys]} "
                                f"for x = {list(xs)}, not the running XOR {expected}", hint=XOR_START, symptom="value")
    return None


JUDGES = judges_for(
    TABLE, PROBES,
    vanilla_rnn=ScratchModelJudge(MODULES["vanilla_rnn"]),
    palindrome_lstm=ScratchModelJudge(MODULES["palindrome_lstm"]),
    seq_rnn=SequenceModuleJudge(MODULES["seq_rnn"]),
    seq_gru=SequenceModuleJudge(MODULES["seq_gru"]),
    seq_lstm=SequenceModuleJudge(MODULES["seq_lstm"], state_parts=2),
    lstm_param_count=UnitJudge(judge_case=judge_param_count),
    batch_error=UnitJudge(judge_case=judge_batch_error),
    train_loop=TrainJudge(),
    make_optimizers=UnitJudge(judge_case=judge_optimizers),
    activation_ratio=RatioJudge(),
    xor_network=UnitJudge(judge_values=judge_xor),
)
