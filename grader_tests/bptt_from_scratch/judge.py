"""The judge of `bptt_from_scratch` (SPEC 4.4): recompute with `reference/` and compare.

The probe half (probe.py) runs the student's code on the grader's inputs in the sandbox and
returns plain arrays; `judge_aspect` recomputes with `reference/bptt_from_scratch.py` and
returns None or a one- or two-sentence message naming the likely bug. Likely bugs of the
forward/backward pairs are found by matching the student's numbers against known wrong
variants computed with PyTorch autograd (`_variant_run`: one model loop with switches for
each mistake, e.g. BPTT that skips t = 0 or a sigmoid derivative taken of an activation).
`train_recurrent` is judged by replaying the mini-batches it passed to backward on the
reference, and by a scripted model whose validation loss follows a fixed table.
"""
import inspect

import numpy as np
import torch

from handouts import bptt_helpers
from reference import bptt_from_scratch as ref
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.contract.numerics import FD_TOLERANCE, close, matches_variant, max_abs_error
from grader_tests.bptt_from_scratch import probe as P
from grader_tests.bptt_from_scratch.units import TABLE

HEADER = "import math\nimport numpy as np\n" + harness.handout_loader(bptt_helpers)
# train_recurrent gets its model as arguments: the probe passes the reference RNN, kept out of
# the student's names (a private namespace) so that the answer cell cannot lean on it.
GRADER_MODEL = f'''
_grader_scope = {{"np": np, "softmax": softmax}}
exec(compile({"".join(inspect.getsource(f) + chr(10) for f in (ref._output_backward, ref.rnn_forward, ref.rnn_backward))!r},
             "<grader model>", "exec"), _grader_scope)
_grader_model = {{"rnn_forward": _grader_scope["rnn_forward"], "rnn_backward": _grader_scope["rnn_backward"]}}
del _grader_scope
'''
REF_PAIR = {"rnn": (ref.rnn_forward, ref.rnn_backward), "lstm": (ref.lstm_forward, ref.lstm_backward),
            "gru": (ref.gru_forward, ref.gru_backward)}


def given_source(unit):
    """The namespace an answer cell runs in: the notebook's imports and the course's copy of the
    handout (bptt_helpers), plus the reference versions of the units it builds on."""
    row = TABLE.unit(unit)
    sources = [HEADER] + [inspect.getsource(getattr(ref, name)) for d in row.builds_on
                          for name in TABLE.unit(d).defines]
    if unit == "train_recurrent":
        sources.append(GRADER_MODEL)
    return "\n\n".join(sources)


def _unanswered(name, info):
    if info.get("error") == "NotImplementedError":
        return f"{name} has not been answered yet (it raises NotImplementedError)."
    return None


# ---------------------------------------------------------------------------------------------
# Known wrong variants of the models (PyTorch autograd, float64)
# ---------------------------------------------------------------------------------------------

def _derivative_at_activation(f, derivative):
    """f, whose backward evaluates the derivative at the activation y = f(a) instead of at a (the
    bug of applying der_sigmoid to a gate that is already a sigmoid): derivative(f(y))."""
    class AtActivation(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            y = f(a)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            y, = ctx.saved_tensors
            return grad * derivative(f(y))
    return AtActivation.apply


_SIGMOID_OF_ACTIVATION = _derivative_at_activation(torch.sigmoid, lambda s: s * (1 - s))
_TANH_OF_ACTIVATION = _derivative_at_activation(torch.tanh, lambda u: 1 - u ** 2)


def _variant_run(model, X, params, Y, order_hx=False, no_tanh_c=False, blend_reversed=False,
                 reset_before=False, read_first=False, skip_first=False, last_only=False,
                 every_step=False, sig_twice=False, tanh_twice=False, no_forget_back=False):
    """(probs, grads) of `model` with the named mistakes, by autograd of the mean cross-entropy."""
    P_ = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    X_, Y_ = torch.tensor(X, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)
    N, T, D = X.shape
    H = params["Wy"].shape[0]
    sig = _SIGMOID_OF_ACTIVATION if sig_twice else torch.sigmoid
    tanh_gate = _TANH_OF_ACTIVATION if tanh_twice else torch.tanh
    h = torch.zeros(N, H, dtype=torch.float64)
    c = torch.zeros(N, H, dtype=torch.float64)
    hs = []
    for t in range(T):
        p = {k: v.detach() for k, v in P_.items()} if skip_first and t == 0 else P_
        if last_only and t == T - 1:
            h, c = h.detach(), c.detach()
        x = X_[:, t]
        if model == "rnn":
            h = tanh_gate(x @ p["Wx"] + h @ p["Wh"] + p["b"])
        elif model == "lstm":
            z = torch.cat([h, x], 1) if order_hx else torch.cat([x, h], 1)
            f = sig(z @ p["Wf"] + p["bf"])
            i = sig(z @ p["Wi"] + p["bi"])
            g = tanh_gate(z @ p["Wc"] + p["bc"])
            o = sig(z @ p["Wo"] + p["bo"])
            c_new = f * c + i * g
            if no_forget_back:      # same value, d c_t / d c_{t-1} = 1 instead of f
                c_new = c_new + (c - c.detach()) * (1 - f.detach())
            c = c_new
            h = o * (c if no_tanh_c else torch.tanh(c))
        else:
            zg = sig(x @ p["Wz"] + h @ p["Uz"] + p["bz"])
            r = sig(x @ p["Wr"] + h @ p["Ur"] + p["br"])
            n = tanh_gate(x @ p["Wn"] + ((r * h) @ p["Un"] if reset_before else r * (h @ p["Un"])) + p["bn"])
            h = (1 - zg) * h + zg * n if blend_reversed else zg * h + (1 - zg) * n
        hs.append(h)
    read = hs[0] if read_first else hs[-1]
    logits = read @ P_["Wy"] + P_["by"]
    loss = -(torch.log_softmax(logits, 1) * Y_).sum(1).mean()
    if every_step:
        g_last, = torch.autograd.grad(loss, hs[-1], retain_graph=True)
        loss = loss + sum((state * g_last.detach()).sum() for state in hs[:-1])
    loss.backward()
    grads = {k: v.grad.numpy() if v.grad is not None else np.zeros_like(params[k]) for k, v in P_.items()}
    return torch.softmax(logits, 1).detach().numpy(), grads


FORWARD_VARIANTS = {
    "rnn": [(dict(read_first=True), "The class is read from the last hidden state h_T, not from the first step's.")],
    "lstm": [(dict(order_hx=True), "The gates act on the concatenation [x_t, h_{t-1}], x first: rows 0..D-1 "
                                   "of each W multiply x_t, the last H rows multiply h_{t-1}."),
             (dict(no_tanh_c=True), "h_t = o * tanh(c_t): apply tanh to the new cell state."),
             (dict(read_first=True), "The class is read from the last hidden state h_T, not from the first step's.")],
    "gru": [(dict(blend_reversed=True), "The update gate's blend is reversed: h_t = z * h_{t-1} + (1 - z) * n."),
            (dict(reset_before=True), "The reset gate multiplies the product h_{t-1} Un: n = tanh(x Wn + r * (h Un) "
                                      "+ bn), not tanh(x Wn + (r * h) Un + bn)."),
            (dict(read_first=True), "The class is read from the last hidden state h_T, not from the first step's.")],
}
SKIP_FIRST = ("The gradients miss the first time step's contribution: backpropagate through all T "
              "steps, t = T-1 down to 0 (range(T), not range(1, T)).")
GRAD_VARIANTS = [
    (dict(skip_first=True), SKIP_FIRST),
    (dict(last_only=True), "Only the last step contributes to the weight gradients: carry dh back through "
                           "every step (no truncation)."),
    (dict(every_step=True), "The output layer's gradient is added to dh at every step; the loss reads only "
                            "h_T, so dz @ Wy.T enters once, at the last step."),
    (dict(every_step=True, skip_first=True), "The output layer's gradient is added to dh at every step (the "
                                             "loss reads only h_T) and the first step is skipped: run t = T-1 down to 0."),
    (dict(sig_twice=True), "A sigmoid derivative is evaluated at the gate's activation: with s = sigmoid(a) "
                           "the derivative is s * (1 - s), not sigmoid(s) * (1 - sigmoid(s))."),
    (dict(tanh_twice=True), "A tanh derivative is evaluated at an activation: with h = tanh(a) the derivative "
                            "is 1 - h**2, not 1 - tanh(h)**2."),
    (dict(sig_twice=True, tanh_twice=True), "The activation derivatives are evaluated at the activations: "
                                            "use s * (1 - s) for s = sigmoid(a) and 1 - h**2 for h = tanh(a)."),
    (dict(sig_twice=True, tanh_twice=True, skip_first=True), "The activation derivatives are evaluated at "
     "the activations (use s * (1 - s) and 1 - h**2) and the first step is skipped (run t = T-1 down to 0)."),
    (dict(no_forget_back=True), "Going back one step, the cell-state gradient is multiplied by the forget "
                                "gate: dc_{t-1} = dc_t * f_t."),
]


def grad_variants(model):
    """The GRAD_VARIANTS that change `model` (an RNN has no sigmoid, only the LSTM a cell state)."""
    return [(flags, hint) for flags, hint in GRAD_VARIANTS
            if not (flags.get("no_forget_back") and model != "lstm")
            and not (flags.get("sig_twice") and model == "rnn")]


SUM_HINT = ("The gradients are N times too large: the loss is the mean cross-entropy over the batch, "
            "so dL/dz = (probs - Y) / N.")
MEAN_NK_HINT = ("The gradients are K times too small: the loss averages -log(probability of the true "
                "class) over the N samples, not over all N * K entries of Y.")
CLIP_HINT = ("The gradients are clipped inside backward: return them unclipped (clipping belongs to "
             "momentum_step).")
GENERIC_FORWARD = {
    "rnn": "Check h_t = tanh(x_t Wx + h_{t-1} Wh + b) from h_0 = 0, and probs = softmax(h_T Wy + by).",
    "lstm": "Check the gates on [x_t, h_{t-1}] (f, i, o sigmoid; candidate tanh with Wc, bc), "
            "c_t = f c_{t-1} + i g, h_t = o tanh(c_t) from h_0 = c_0 = 0, and probs = softmax(h_T Wy + by).",
    "gru": "Check z = sigmoid(x Wz + h Uz + bz), r = sigmoid(x Wr + h Ur + br), n = tanh(x Wn + r * (h Un) + bn), "
           "h_t = z * h_{t-1} + (1 - z) * n from h_0 = 0, and probs = softmax(h_T Wy + by).",
}
GENERIC_BACKWARD = ("Derive each step's gradient from your forward pass and check it with "
                    "eval_numerical_gradient on a tiny case.")


def _named_grad_bug(model, X, params, Y, grads_ref, mine, key):
    """The hint of the known wrong variant that explains the student's gradients, or None."""
    def explains(candidate, keys):
        return all(k in candidate and candidate[k].shape == mine[k].shape and matches_variant(mine[k], candidate[k])
                   for k in keys)
    candidates = [({k: v * X.shape[0] for k, v in grads_ref.items()}, SUM_HINT),
                  ({k: v / Y.shape[1] for k, v in grads_ref.items()}, MEAN_NK_HINT)]
    candidates += [({k: np.clip(v, -c, c) for k, v in grads_ref.items()}, CLIP_HINT) for c in (1, 5, 10, 15)]
    for flags, hint in grad_variants(model):
        candidates.append((_variant_run(model, X, params, Y, **flags)[1], hint))
    for keys in (sorted(mine), [key]):     # first a variant that explains every gradient
        for candidate, hint in candidates:
            if explains(candidate, keys):
                return hint
    return None


def judge_pair(unit, aspect, infos, arrays):
    model = P.MODEL_OF[unit]
    fwd_name, bwd_name = P.UNITS[unit]
    cases = P.plan(unit, aspect)
    if len(infos) < len(cases):
        return "The grader could not run every check on your code (it stopped early)."
    for k, case in enumerate(cases):
        info, got = infos[k], harness.case_arrays(arrays, aspect, k)
        where = f"for {case.describe()}"
        hint = f" {case.hint}" if case.hint else ""
        message = _unanswered(fwd_name, info)
        if message:
            return message
        if "error" in info:
            culprit = bwd_name if aspect == "backward" and "probs" in got else fwd_name
            return f"{culprit} raised {info['error']} {where}.{hint}"
        X, params, Y = case.inputs(model)
        probs_ref, cache = REF_PAIR[model][0](X.copy(), {q: v.copy() for q, v in params.items()})
        probs = got.get("probs")
        if probs is None or probs.shape != probs_ref.shape:
            return (f"{fwd_name} returned probabilities of shape {None if probs is None else probs.shape}, "
                    f"expected {probs_ref.shape} {where}.{hint}")
        if not close(probs, probs_ref, "float64"):
            named = next((h for flags, h in FORWARD_VARIANTS[model]
                          if matches_variant(probs, _variant_run(model, X, params, Y, **flags)[0])), None)
            if named is None and not np.allclose(probs.sum(axis=1), 1):
                named = "Each row of probs must sum to 1: apply softmax to h_T Wy + by."
            return (f"{fwd_name}'s probabilities differ from the expected values {where} (max abs error "
                    f"{max_abs_error(probs, probs_ref):.3g}). {named or case.hint or GENERIC_FORWARD[model]}")
        if info.get("modified"):
            return f"{fwd_name} or {bwd_name} modified its input(s) {', '.join(info['modified'])} in place {where}."
        if aspect != "backward":
            continue
        if "grads_type" in info:
            return (f"{bwd_name} returned a {info['grads_type']} {where}; return a dict with the "
                    f"parameters' keys ({', '.join(params)}).")
        missing = [q for q in params if q not in info.get("grad_keys", [])]
        if missing:
            return f"{bwd_name}'s dict has no gradient for {', '.join(missing)} {where}."
        grads_ref = REF_PAIR[model][1](Y.copy(), cache)
        mine = {q: got[f"grad:{q}"] for q in params}
        for key in ("Wy", "by") + tuple(q for q in params if q not in ("Wy", "by")):
            expected = grads_ref[key]
            if mine[key].shape != expected.shape:
                return (f"The gradient of {key} has shape {mine[key].shape}, expected {expected.shape} (the "
                        f"shape of {key}) {where}.")
            if not close(mine[key], expected, "float64"):
                named = _named_grad_bug(model, X, params, Y, grads_ref, mine, key)
                return (f"The gradient of {key} differs from the expected one {where} (max abs error "
                        f"{max_abs_error(mine[key], expected):.3g}). {named or case.hint or GENERIC_BACKWARD}")
        for key in params:
            num = got.get(f"num:{key}")
            if num is not None and max_abs_error(mine[key], num) > FD_TOLERANCE * max(1.0, float(np.abs(num).max())):
                return (f"Your gradient of {key} disagrees with finite differences of your own {fwd_name} "
                        f"{where}: the forward and backward passes compute different functions.")
    return None


# ---------------------------------------------------------------------------------------------
# momentum_step
# ---------------------------------------------------------------------------------------------

def _momentum_variant(params, grads, velocity, lr, momentum, clip, how):
    velocity = velocity if velocity is not None else {k: np.zeros_like(v) for k, v in params.items()}
    new_p, new_v = {}, {}
    for k in params:
        g = grads[k]
        if how == "no_clip":
            v = momentum * velocity[k] - lr * g
        elif how == "clip_velocity":
            v = np.clip(momentum * velocity[k] - lr * g, -clip, clip)
        elif how == "norm_clip":
            norm = np.linalg.norm(g)
            v = momentum * velocity[k] - lr * (g * min(1.0, clip / norm) if norm > 0 else g)
        elif how == "clip_fixed":
            v = momentum * velocity[k] - lr * np.clip(g, -10.0, 10.0)
        elif how == "lr_outside":
            v = momentum * velocity[k] - np.clip(g, -clip, clip)
            new_p[k], new_v[k] = params[k] + lr * v, v
            continue
        elif how == "flipped":
            v = momentum * velocity[k] + lr * np.clip(g, -clip, clip)
            new_p[k], new_v[k] = params[k] - v, v
            continue
        new_p[k], new_v[k] = params[k] + v, v
    return new_p, new_v


MOMENTUM_VARIANTS = [
    ("no_clip", "The gradients are not clipped: clip every element to [-clip, clip] before the update."),
    ("clip_velocity", "Clip the gradient (np.clip(g, -clip, clip)) before the update, not the velocity."),
    ("norm_clip", "Clip each gradient element to [-clip, clip] (np.clip), not the gradient's norm."),
    ("clip_fixed", "Use the clip argument (default 10.0), not a fixed threshold."),
    ("lr_outside", "The learning rate multiplies the gradient inside the velocity: v <- momentum * v - lr * g, "
                   "then theta <- theta + v."),
    ("flipped", "The velocity has the opposite sign of the contract's: v <- momentum * v - lr * g, "
                "theta <- theta + v."),
]
MOMENTUM_GENERIC = "Check the order: clip g to [-clip, clip], v <- momentum * v - lr * g, theta <- theta + v."


def judge_momentum(aspect, infos, arrays):
    cases = P.plan("momentum_step", aspect)
    if len(infos) < len(cases):
        return "The grader could not run every check on your code (it stopped early)."
    for k, case in enumerate(cases):
        info, got = infos[k], harness.case_arrays(arrays, aspect, k)
        where = f"for {case.describe()}"
        message = _unanswered("momentum_step", info)
        if message:
            return message
        if "error" in info:
            extra = (" velocity may be None: start from zeros (one array per key)."
                     if not case.velocity else "")
            return f"momentum_step raised {info['error']} {where}.{extra}"
        keys = [q for q, _ in case.shapes]
        for what in ("params", "velocity"):
            if f"{what}_type" in info:
                return f"momentum_step returned {what} as a {info[f'{what}_type']} {where}; return two dicts."
            missing = [q for q in keys if q not in info.get(f"{what}_keys", [])]
            if missing:
                return f"The returned {what} dict has no {', '.join(missing)} {where}."
        if aspect == "pure":
            if info.get("modified"):
                return (f"momentum_step modified its inputs ({', '.join(info['modified'])}) in place {where}: "
                        "build new arrays (theta + v, not theta += v) and new dicts.")
            if info.get("same_dict"):
                return (f"momentum_step returned the {' and '.join(info['same_dict'])} dict it was given "
                        f"{where}: return new dicts and leave the inputs unchanged.")
            continue
        params, grads, velocity = case.inputs()
        clip = 10.0 if case.clip is None else case.clip
        expected = ref.momentum_step(params, grads, velocity, case.lr, case.momentum, clip)
        for idx, what in enumerate(("params", "velocity")):
            for q in keys:
                mine, want = got[f"{what}:{q}"], expected[idx][q]
                if mine.shape != want.shape:
                    return f"The returned {what}['{q}'] has shape {mine.shape}, expected {want.shape} {where}."
                if not close(mine, want, "float64"):
                    named = None
                    for how, hint in MOMENTUM_VARIANTS:
                        variant = _momentum_variant(params, grads, velocity, case.lr, case.momentum, clip, how)
                        if all(matches_variant(got[f"{w}:{p}"], variant[i][p])
                               for i, w in enumerate(("params", "velocity")) for p in keys):
                            named = hint
                            break
                    return (f"The returned {what}['{q}'] differs from the expected one {where} (max abs "
                            f"error {max_abs_error(mine, want):.3g}). {named or MOMENTUM_GENERIC}")
    return None


# ---------------------------------------------------------------------------------------------
# confusion_matrix
# ---------------------------------------------------------------------------------------------

def judge_confusion(infos, arrays):
    cases = P.plan("confusion_matrix", "values")
    if len(infos) < len(cases):
        return "The grader could not run every check on your code (it stopped early)."
    for k, case in enumerate(cases):
        info, got = infos[k], harness.case_arrays(arrays, "values", k)
        where = f"for {case.describe()}"
        hint = f" {case.hint}" if case.hint else ""
        message = _unanswered("confusion_matrix", info)
        if message:
            return message
        if "error" in info:
            return f"confusion_matrix raised {info['error']} {where}.{hint}"
        y_true, y_pred = case.inputs()
        expected = ref.confusion_matrix(y_true, y_pred, case.K)
        out = got.get("out")
        if out is None or out.shape != expected.shape:
            return (f"confusion_matrix returned shape {None if out is None else out.shape}, expected "
                    f"{expected.shape} (num_classes x num_classes) {where}.{hint}")
        if not np.array_equal(out, expected):
            named = None
            if np.array_equal(out, expected.T):
                named = "Rows are the actual classes and columns the predicted ones: your matrix is transposed."
            elif np.array_equal(out, np.minimum(expected, 1)):
                named = "Count every pair: add 1 (+=) for each sample rather than setting the entry to 1."
            elif np.array_equal(out, np.roll(expected, (-1, -1), (0, 1))):
                named = "Labels are 0-based (0..K-1): index with the labels themselves, not label - 1."
            elif np.allclose(out, expected / np.maximum(expected.sum(axis=1, keepdims=True), 1)):
                named = "Return counts, not rows normalised to fractions."
            return f"confusion_matrix's counts differ from the expected ones {where}. {named or 'Add 1 at [actual, predicted] for every sample.'}"
        if not info.get("integer"):
            return f"confusion_matrix returned {info.get('dtype')} values {where}: return an integer array of counts."
        if info.get("modified"):
            return f"confusion_matrix modified its input labels in place {where}."
    return None


# ---------------------------------------------------------------------------------------------
# train_recurrent
# ---------------------------------------------------------------------------------------------

def _calls(got, prefix, which):
    lengths, idx = got.get(f"{prefix}{which}:len"), got.get(f"{prefix}{which}:idx")
    if lengths is None or idx is None:
        return []
    out, start = [], 0
    for length in lengths:
        out.append(idx[start:start + length])
        start += length
    return out


def _run_outputs(case, got, info, prefix, where):
    """(params, history) the student returned, or a message."""
    if "error" in info:
        return None, None, f"train_recurrent raised {info['error']} {where}."
    if "params_type" in info:
        return None, None, (f"train_recurrent returned params as a {info['params_type']} {where}; return "
                            "(params, history) with params a dict like the one it was given.")
    X, Y, params0 = case.data()
    missing = [q for q in params0 if q not in info.get("params_keys", [])]
    if missing:
        return None, None, f"The returned params dict has no {', '.join(missing)} {where}."
    if "history_type" in info:
        return None, None, (f"train_recurrent returned history as a {info['history_type']} {where}; "
                            "return a dict of lists train_loss, val_loss, val_acc.")
    lacking = [q for q in ("train_loss", "val_loss", "val_acc") if q not in info.get("history_keys", [])]
    if lacking:
        return None, None, f"history has no {', '.join(lacking)} {where} (keys train_loss, val_loss, val_acc)."
    params = {q: got[f"{prefix}params:{q}"] for q in params0}
    history = {q: got[f"{prefix}history:{q}"] for q in ("train_loss", "val_loss", "val_acc")}
    if len({len(v) for v in history.values()}) != 1:
        return None, None, (f"history's lists have lengths {[len(v) for v in history.values()]} {where}: one "
                            "entry per epoch in each.")
    return params, history, None


def _epochs(case, batches, where):
    """Split the backward calls into epochs: (list of epochs (lists of index arrays), validation
    rows, message)."""
    n, n_val = case.N, case.n_val
    if not batches:
        return None, None, f"train_recurrent never called backward {where}: compute grads = backward(Y_batch, cache)."
    if any((b < 0).any() for b in batches):
        return None, None, (f"backward received rows that are not rows of X {where}: pass X[batch] "
                            "(samples are the first axis) to forward and its cache to backward.")
    trained = set(np.concatenate(batches).tolist())
    validation = sorted(set(range(n)) - trained)
    if len(validation) != n_val:
        if not validation:
            return None, None, (f"Every sample was used for training {where}: hold out int(val_fraction * N) "
                                f"= {n_val} samples, chosen with rng before the first epoch, and never train on them.")
        return None, None, (f"{len(validation)} samples were never trained on {where}; hold out exactly "
                            f"int(val_fraction * N) = {n_val} for validation and train on all the others.")
    n_train, bs = n - n_val, case.batch_size
    expected_sizes = [bs] * (n_train // bs) + ([n_train % bs] if n_train % bs else [])
    epochs, current, count = [], [], 0
    for b in batches:
        current.append(b)
        count += len(b)
        if count >= n_train:
            epochs.append(current)
            current, count = [], 0
    if current:
        epochs.append(current)
    for e, epoch in enumerate(epochs, 1):
        order = np.concatenate(epoch)
        sizes = [len(b) for b in epoch]
        if sorted(order.tolist()) != sorted(trained):
            if len(order) == n_train - n_train % bs or (len(epochs) > 1 and sum(len(b) for b in epochs[0]) > n_train):
                return None, None, (f"Each epoch must use every training sample once {where}: with "
                                    f"{n_train} training samples and batch_size={bs} the last, smaller batch "
                                    f"of {n_train % bs} is skipped.")
            return None, None, (f"In epoch {e} some training samples were used twice and others not at all "
                                f"{where}: each epoch visits every training sample once (one permutation cut "
                                "into batches).")
        if sizes != expected_sizes:
            return None, None, (f"Epoch {e} used batches of sizes {sizes} {where}; expected {expected_sizes} "
                                "(batch_size samples each, the last batch smaller).")
    return epochs, validation, None


def _replay(case, epochs, validation):
    """Reference training on the student's mini-batches: per epoch (params, val_loss, val_acc,
    weighted and plain mean of the batch losses)."""
    X, Y, params = case.data()
    velocity, out = None, []
    for epoch in epochs:
        losses, sizes = [], []
        for b in epoch:
            probs, cache = ref.rnn_forward(X[b], params)
            losses.append(ref.cross_entropy(probs, Y[b]))
            sizes.append(len(b))
            params, velocity = ref.momentum_step(params, ref.rnn_backward(Y[b], cache), velocity,
                                                 case.lr, case.momentum)
        probs_val, _ = ref.rnn_forward(X[validation], params)
        out.append((params, ref.cross_entropy(probs_val, Y[validation]),
                    float(np.mean(probs_val.argmax(1) == Y[validation].argmax(1))),
                    float(np.average(losses, weights=sizes)), float(np.mean(losses))))
    return out


def _params_equal(a, b):
    return all(a[q].shape == b[q].shape and close(a[q], b[q], "float64") for q in b)


def _check_steps(case, info, n_batches, where):
    if not info.get("has_momentum_step"):
        return None
    steps = info.get("steps", [])
    if not steps:
        return (f"momentum_step was never called {where}: update the parameters with params, velocity = "
                "momentum_step(params, grads, velocity, lr, momentum) after each mini-batch.")
    if len(steps) != n_batches:
        return f"momentum_step was called {len(steps)} times for {n_batches} mini-batches {where}: once per batch."
    for given, lr, momentum, clip in steps:
        if lr != case.lr or momentum != case.momentum:
            return (f"momentum_step was called with lr={lr:g}, momentum={momentum:g} {where}: pass "
                    "train_recurrent's own lr and momentum.")
        if clip is not None and clip != 10.0:
            return f"momentum_step was called with clip={clip:g} {where}: keep its default."
    if steps[0][0] != "none" and case.momentum:
        return f"The first momentum_step call got a velocity {where}: start from velocity=None (zeros)."
    if any(s[0] != "previous" for s in steps[1:]) and case.momentum:
        return (f"The velocity was reset during training {where}: pass the velocity returned by the previous "
                "momentum_step call, across batches and epochs.")
    return None


def judge_updates(case, got, info):
    where = f"for {case.describe()}"
    message = _unanswered("train_recurrent", info)
    if message:
        return message
    params, history, message = _run_outputs(case, got, info, "", where)
    if message:
        return message
    if info.get("label_mismatch"):
        return (f"backward received labels that do not belong to the rows passed to forward {where}: index X "
                "and Y with the same shuffled indices.")
    epochs, validation, message = _epochs(case, _calls(got, "", "backward"), where)
    if message:
        return message
    message = _check_steps(case, info, sum(len(e) for e in epochs), where)
    if message:
        return message
    replay = _replay(case, epochs, validation)
    if not any(_params_equal(params, snapshot) for snapshot, *_ in replay):
        X, Y, params0 = case.data()
        if _params_equal(params, params0):
            return f"train_recurrent returned the initial parameters {where}: return the trained (best) ones."
        return (f"The returned parameters match no epoch of the momentum updates replayed on your mini-batches "
                f"{where}: after each batch use params, velocity = momentum_step(params, backward(Y_batch, "
                "cache), velocity, lr, momentum), and forward each batch with the current params.")
    return _judge_history(history, [(v, a, w, m) for _, v, a, w, m in replay], where)


def _judge_history(history, expected, where):
    """expected: per epoch (val_loss, val_acc, weighted train loss, plain mean train loss)."""
    E = len(expected)
    if len(history["val_loss"]) != E:
        return f"history holds {len(history['val_loss'])} entries after {E} epochs {where}: one per epoch."
    val = np.array([e[0] for e in expected])
    acc = np.array([e[1] for e in expected])
    if not np.allclose(history["val_loss"], val, rtol=1e-6, atol=1e-9):
        return (f"history['val_loss'] differs from the validation cross-entropy after each epoch {where} "
                f"(expected {np.round(val, 4).tolist()}, got {np.round(history['val_loss'], 4).tolist()}). "
                f"{_loss_hint(history['val_loss'], val) or VAL_HINT}")
    if not np.allclose(history["val_acc"], acc, atol=1e-9):
        if np.allclose(history["val_acc"], 100 * acc, atol=1e-7):
            return f"history['val_acc'] is in percent {where}: record the fraction correct, in [0, 1]."
        return (f"history['val_acc'] differs from the validation accuracy after each epoch {where}: the "
                "fraction of validation samples whose most probable class is the true one.")
    weighted = np.array([e[2] for e in expected])
    plain = np.array([e[3] for e in expected])
    if not (np.allclose(history["train_loss"], weighted, rtol=1e-6, atol=1e-9)
            or np.allclose(history["train_loss"], plain, rtol=1e-6, atol=1e-9)):
        return (f"history['train_loss'] is not the mean cross-entropy of the epoch's mini-batches {where} "
                f"(expected {np.round(weighted, 4).tolist()}, got {np.round(history['train_loss'], 4).tolist()}): "
                f"average the losses of the forward passes of the epoch's batches. {_loss_hint(history['train_loss'], weighted)}")
    return None


VAL_HINT = ("Compute it on the held-out samples only (never trained on), with the parameters after the "
            "epoch's last update.")


def _loss_hint(got, expected):
    got = np.asarray(got)
    for factor in (2, 3):
        if got.shape == expected.shape and np.allclose(got * factor, expected, rtol=1e-6):
            return ("The cross-entropy is averaged over N * K entries: average -log(probability of the true "
                    "class) over the N samples only.")
    if got.shape == expected.shape and len(got) > 1 and np.allclose(got[1:], expected[:-1], rtol=1e-6):
        return "The losses are recorded before the epoch's updates: record them after the epoch's last batch."
    return ""


def judge_stopping(case, got, info):
    where = f"for {case.describe()}"
    message = _unanswered("train_recurrent", info)
    if message:
        return message
    params, history, message = _run_outputs(case, got, info, "", where)
    if message:
        return message
    epochs, validation, message = _epochs(case, _calls(got, "", "backward"), where)
    if message:
        return message
    table = case.scripted
    E = len(epochs)
    best, best_epoch, waited, stop = np.inf, 0, 0, case.max_epochs
    for e, loss in enumerate(table[:case.max_epochs], 1):
        if loss < best:
            best, best_epoch, waited = loss, e, 0
        else:
            waited += 1
            if waited >= case.patience:
                stop = e
                break
    losses = ", ".join(f"{v:g}" for v in table[:max(E, stop)])
    if E > stop:
        tie = any(table[i] == min(table[:i]) for i in range(1, stop))
        return (f"Training went on for {E} epochs where it should stop after {stop} {where} (validation losses "
                f"{losses}): stop once the loss has not improved for patience={case.patience} epochs in a row"
                + (" (an equal loss is no improvement)." if tie else "."))
    if E < stop:
        return (f"Training stopped after {E} epochs where it should go on to {stop} {where} (validation losses "
                f"{losses}): stop only after patience={case.patience} epochs in a row without improvement"
                + (" (or at max_epochs)." if stop == case.max_epochs else "."))
    per_epoch = -(-(case.N - case.n_val) // case.batch_size)
    w = float(params["w"].reshape(-1)[0]) if params["w"].size else np.nan
    if not np.isclose(w, best_epoch * per_epoch):
        ran = w / per_epoch
        if np.isclose(ran, E):
            return (f"train_recurrent returned the last epoch's parameters {where}; return those of the epoch "
                    f"with the lowest validation loss (epoch {best_epoch}), kept when it was reached.")
        return (f"train_recurrent returned parameters other than the best epoch's (epoch {best_epoch}) {where}: "
                "keep the params of the epoch with the lowest validation loss.")
    expected = []
    for e in range(1, E + 1):
        loss = table[e - 1]
        train = 2.0 if e == 1 else table[e - 2]
        expected.append((loss, float(np.exp(-loss) > 0.5), train, train))
    return _judge_history(history, expected, where)


def judge_rng(got, info):
    case = P.RNG_CASE
    where = f"for {case.describe()}"
    runs = {}
    for label, _, _ in P.RNG_RUNS:
        sub_info = {k[2:]: v for k, v in info.items() if k.startswith(f"{label}:")}
        sub = {k[2:]: v for k, v in got.items() if k.startswith(f"{label}:")}
        message = _unanswered("train_recurrent", sub_info)
        if message:
            return message
        params, history, message = _run_outputs(case, sub, sub_info, "", where)
        if message:
            return message
        epochs, validation, message = _epochs(case, _calls(sub, "", "backward"), where)
        if message:
            return message
        runs[label] = (params, history, epochs, validation)
    (pa, ha, ea, va), (pb, hb, eb, _), (_, _, _, vc) = runs["a"], runs["b"], runs["c"]
    same = (all(np.array_equal(pa[q], pb[q]) for q in pa) and all(np.array_equal(ha[q], hb[q]) for q in ha)
            and len(ea) == len(eb) and all(np.array_equal(np.concatenate(x), np.concatenate(y)) for x, y in zip(ea, eb)))
    if not same:
        return (f"Two runs with the same rng seed gave different results when numpy's global random state "
                f"changed {where}: draw the split and the shuffles from rng (rng.permutation), not np.random.")
    if va == vc:
        return (f"The validation split is the same for different rng seeds {where}: choose the held-out samples "
                "with rng (e.g. the first int(val_fraction * N) of rng.permutation(N)).")
    orders = [np.concatenate(e) for e in ea]
    if all(np.array_equal(o, np.sort(o)) for o in orders):
        return f"The training samples are not shuffled {where}: draw a fresh permutation from rng every epoch."
    if any(np.array_equal(orders[0], o) for o in orders[1:]):
        return (f"Every epoch visits the training samples in the same order {where}: draw a fresh permutation "
                "from rng at the start of each epoch.")
    return None


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------

def judge_aspect(unit, aspect, infos, arrays, devices=None):
    """The message for one hidden test (None: passed) from the probes' plain data."""
    if unit in P.MODEL_OF:
        return judge_pair(unit, aspect, infos, arrays)
    if unit == "momentum_step":
        return judge_momentum(aspect, infos, arrays)
    if unit == "confusion_matrix":
        return judge_confusion(infos, arrays)
    cases = P.plan(unit, aspect)
    if len(infos) < len(cases):
        return "The grader could not run every check on your code (it stopped early)."
    for k, case in enumerate(cases):
        got = harness.case_arrays(arrays, aspect, k)
        if aspect == "rng":
            return judge_rng(got, infos[k])
        message = (judge_updates if aspect == "updates" else judge_stopping)(case, got, infos[k])
        if message:
            return message
    return None
