"""The judge of `bptt_from_scratch` (SPEC 4.4): recompute with `reference/` and compare.

The probe half (probe.py) runs the student's code on the grader's inputs in the sandbox and
returns plain arrays; each unit's judge here (`JUDGES`) recomputes with
`reference/bptt_from_scratch.py` and returns a `Verdict` naming the likely bug:

- the three forward/backward pairs (`ModelPairJudge`, one per model): probs and every gradient
  against the reference, the gradients against finite differences of the student's own forward,
  and the likely bug found by matching the student's numbers against known wrong variants
  computed with PyTorch autograd (`_variant_run`: one loop over the time steps with a step per
  model and switches for each mistake, e.g. BPTT that skips t = 0 or a sigmoid derivative taken
  of an activation);
- `momentum_step` and `confusion_matrix` against the reference, with their known wrong variants;
- `train_recurrent`, judged by replaying the mini-batches it passed to backward on the
  reference, by a scripted model whose validation loss follows a fixed table, and by three runs
  that differ only in the rng seed or in numpy's global random state.
"""
import dataclasses
import inspect

import numpy as np
import torch

from reference import bptt_from_scratch as ref
from grader_tests.framework.contract import verdict as v
from grader_tests.framework.contract.numerics import FD_TOLERANCE, close, matches_variant, max_abs_error
from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.judging.kinds import FD_MISMATCH, UnitJudge, judges_for
from grader_tests.framework.sandboxed import harness
from grader_tests.bptt_from_scratch import probe as P
from grader_tests.bptt_from_scratch.units import TABLE

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


@dataclasses.dataclass(frozen=True)
class Mistakes:
    """The mistakes a variant run makes (all False: the reference model)."""
    order_hx: bool = False          # LSTM gates on [h, x] instead of [x, h]
    no_tanh_c: bool = False         # LSTM h = o * c
    no_forget_back: bool = False    # LSTM dc_{t-1} = dc_t, not dc_t * f_t
    blend_reversed: bool = False    # GRU h = (1 - z) h + z n
    reset_before: bool = False      # GRU n = tanh(x Wn + (r * h) Un + bn)
    read_first: bool = False        # the class read from h_1
    skip_first: bool = False        # no weight gradient from t = 0
    last_only: bool = False         # gradients of the last step only
    every_step: bool = False        # the output's gradient added to dh at every step
    sig_twice: bool = False         # sigmoid derivative evaluated at the activation
    tanh_twice: bool = False        # tanh derivative evaluated at the activation

    @property
    def sigmoid(self):
        return _SIGMOID_OF_ACTIVATION if self.sig_twice else torch.sigmoid

    @property
    def tanh(self):
        """The activation's tanh (the LSTM's tanh of c_t is never the mistaken one)."""
        return _TANH_OF_ACTIVATION if self.tanh_twice else torch.tanh


def _rnn_step(p, x, h, c, m):
    return m.tanh(x @ p["Wx"] + h @ p["Wh"] + p["b"]), c


def _lstm_step(p, x, h, c, m):
    z = torch.cat([h, x], 1) if m.order_hx else torch.cat([x, h], 1)
    f = m.sigmoid(z @ p["Wf"] + p["bf"])
    i = m.sigmoid(z @ p["Wi"] + p["bi"])
    g = m.tanh(z @ p["Wc"] + p["bc"])
    o = m.sigmoid(z @ p["Wo"] + p["bo"])
    c_new = f * c + i * g
    if m.no_forget_back:      # same value, d c_t / d c_{t-1} = 1 instead of f
        c_new = c_new + (c - c.detach()) * (1 - f.detach())
    return o * (c_new if m.no_tanh_c else torch.tanh(c_new)), c_new


def _gru_step(p, x, h, c, m):
    z = m.sigmoid(x @ p["Wz"] + h @ p["Uz"] + p["bz"])
    r = m.sigmoid(x @ p["Wr"] + h @ p["Ur"] + p["br"])
    n = m.tanh(x @ p["Wn"] + ((r * h) @ p["Un"] if m.reset_before else r * (h @ p["Un"])) + p["bn"])
    return ((1 - z) * h + z * n if m.blend_reversed else z * h + (1 - z) * n), c


STEPS = {"rnn": _rnn_step, "lstm": _lstm_step, "gru": _gru_step}
# The mistakes that change each model (an RNN has no sigmoid, only the LSTM a cell state).
_SHARED_MISTAKES = {"read_first", "skip_first", "last_only", "every_step", "tanh_twice"}
MODEL_MISTAKES = {
    "rnn": _SHARED_MISTAKES,
    "lstm": _SHARED_MISTAKES | {"sig_twice", "order_hx", "no_tanh_c", "no_forget_back"},
    "gru": _SHARED_MISTAKES | {"sig_twice", "blend_reversed", "reset_before"},
}


def _variant_run(model, X, params, Y, **flags):
    """(probs, grads) of `model` with the named mistakes (`Mistakes`' fields), by autograd of
    the mean cross-entropy."""
    m, step = Mistakes(**flags), STEPS[model]
    P_ = {k: torch.tensor(w, dtype=torch.float64, requires_grad=True) for k, w in params.items()}
    X_, Y_ = torch.tensor(X, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)
    N, T, D = X.shape
    H = params["Wy"].shape[0]
    h = torch.zeros(N, H, dtype=torch.float64)
    c = torch.zeros(N, H, dtype=torch.float64)
    hs = []
    for t in range(T):
        p = {k: w.detach() for k, w in P_.items()} if m.skip_first and t == 0 else P_
        if m.last_only and t == T - 1:
            h, c = h.detach(), c.detach()
        h, c = step(p, X_[:, t], h, c, m)
        hs.append(h)
    read = hs[0] if m.read_first else hs[-1]
    logits = read @ P_["Wy"] + P_["by"]
    loss = -(torch.log_softmax(logits, 1) * Y_).sum(1).mean()
    if m.every_step:
        g_last, = torch.autograd.grad(loss, hs[-1], retain_graph=True)
        loss = loss + sum((state * g_last.detach()).sum() for state in hs[:-1])
    loss.backward()
    grads = {k: w.grad.numpy() if w.grad is not None else np.zeros_like(params[k]) for k, w in P_.items()}
    return torch.softmax(logits, 1).detach().numpy(), grads


READ_FIRST = (dict(read_first=True), Hint("bptt:reads_first_state", "The class is read from the last hidden "
                                          "state h_T, not from the first step's."))
FORWARD_VARIANTS = {
    "rnn": [READ_FIRST],
    "lstm": [(dict(order_hx=True), Hint("lstm_bptt:concat_order", "The gates act on the concatenation "
                                        "[x_t, h_{t-1}], x first: rows 0..D-1 of each W multiply x_t, the "
                                        "last H rows multiply h_{t-1}.")),
             (dict(no_tanh_c=True), Hint("lstm_bptt:no_tanh_on_c", "h_t = o * tanh(c_t): apply tanh to the "
                                         "new cell state.")),
             READ_FIRST],
    "gru": [(dict(blend_reversed=True), Hint("gru_bptt:blend_reversed", "The update gate's blend is reversed: "
                                             "h_t = z * h_{t-1} + (1 - z) * n.")),
            (dict(reset_before=True), Hint("gru_bptt:reset_before_matmul", "The reset gate multiplies the product "
                                           "h_{t-1} Un: n = tanh(x Wn + r * (h Un) + bn), not tanh(x Wn + "
                                           "(r * h) Un + bn).")),
            READ_FIRST],
}
GRAD_VARIANTS = [
    (dict(skip_first=True), Hint("bptt:skips_first_step", "The gradients miss the first time step's "
                                 "contribution: backpropagate through all T steps, t = T-1 down to 0 "
                                 "(range(T), not range(1, T)).")),
    (dict(last_only=True), Hint("bptt:last_step_only", "Only the last step contributes to the weight "
                                "gradients: carry dh back through every step (no truncation).")),
    (dict(every_step=True), Hint("bptt:output_grad_every_step", "The output layer's gradient is added to dh "
                                 "at every step; the loss reads only h_T, so dz @ Wy.T enters once, at the "
                                 "last step.")),
    (dict(every_step=True, skip_first=True), Hint("bptt:output_grad_every_step_skips_first", "The output "
                                                  "layer's gradient is added to dh at every step (the loss "
                                                  "reads only h_T) and the first step is skipped: run t = T-1 "
                                                  "down to 0.")),
    (dict(sig_twice=True), Hint("bptt:sigmoid_derivative_of_activation", "A sigmoid derivative is evaluated "
                                "at the gate's activation: with s = sigmoid(a) the derivative is s * (1 - s), "
                                "not sigmoid(s) * (1 - sigmoid(s)).")),
    (dict(tanh_twice=True), Hint("bptt:tanh_derivative_of_activation", "A tanh derivative is evaluated at an "
                                 "activation: with h = tanh(a) the derivative is 1 - h**2, not 1 - tanh(h)**2.")),
    (dict(sig_twice=True, tanh_twice=True), Hint("bptt:derivatives_of_activations", "The activation "
                                                 "derivatives are evaluated at the activations: use s * (1 - s) "
                                                 "for s = sigmoid(a) and 1 - h**2 for h = tanh(a).")),
    (dict(sig_twice=True, tanh_twice=True, skip_first=True), Hint(
        "bptt:derivatives_of_activations_skips_first", "The activation derivatives are evaluated at the "
        "activations (use s * (1 - s) and 1 - h**2) and the first step is skipped (run t = T-1 down to 0).")),
    (dict(no_forget_back=True), Hint("lstm_bptt:forget_gate_not_in_dc", "Going back one step, the cell-state "
                                     "gradient is multiplied by the forget gate: dc_{t-1} = dc_t * f_t.")),
]


def grad_variants(model):
    """The GRAD_VARIANTS that change `model` (those whose mistakes it can make)."""
    return [(flags, hint) for flags, hint in GRAD_VARIANTS if set(flags) <= MODEL_MISTAKES[model]]


SUM_HINT = Hint("bptt:grads_summed", "The gradients are N times too large: the loss is the mean cross-entropy "
                "over the batch, so dL/dz = (probs - Y) / N.")
MEAN_NK_HINT = Hint("bptt:ce_mean_over_NK", "The gradients are K times too small: the loss averages "
                    "-log(probability of the true class) over the N samples, not over all N * K entries of Y.")
CLIP_HINT = Hint("bptt:clipped_in_backward", "The gradients are clipped inside backward: return them "
                 "unclipped (clipping belongs to momentum_step).")
NOT_SOFTMAX = Hint("bptt:probs_not_softmax", "Each row of probs must sum to 1: apply softmax to h_T Wy + by.")
GENERIC_FORWARD = {
    "rnn": Hint("rnn_bptt:forward", "Check h_t = tanh(x_t Wx + h_{t-1} Wh + b) from h_0 = 0, and probs = "
                "softmax(h_T Wy + by)."),
    "lstm": Hint("lstm_bptt:forward", "Check the gates on [x_t, h_{t-1}] (f, i, o sigmoid; candidate tanh with "
                 "Wc, bc), c_t = f c_{t-1} + i g, h_t = o tanh(c_t) from h_0 = c_0 = 0, and probs = "
                 "softmax(h_T Wy + by)."),
    "gru": Hint("gru_bptt:forward", "Check z = sigmoid(x Wz + h Uz + bz), r = sigmoid(x Wr + h Ur + br), "
                "n = tanh(x Wn + r * (h Un) + bn), h_t = z * h_{t-1} + (1 - z) * n from h_0 = 0, and probs = "
                "softmax(h_T Wy + by)."),
}
GENERIC_BACKWARD = Hint("bptt:backward", "Derive each step's gradient from your forward pass and check it with "
                        "eval_numerical_gradient on a tiny case.")
GRADS_NOT_DICT = Hint("bptt:grads_not_dict", "Return a dict with the parameters' keys ({keys}).")


def _named_grad_bug(model, X, params, Y, grads_ref, mine, key):
    """The hint of the known wrong variant that explains the student's gradients, or None."""
    def explains(candidate, keys):
        return all(k in candidate and candidate[k].shape == mine[k].shape and matches_variant(mine[k], candidate[k])
                   for k in keys)
    candidates = [({k: g * X.shape[0] for k, g in grads_ref.items()}, SUM_HINT),
                  ({k: g / Y.shape[1] for k, g in grads_ref.items()}, MEAN_NK_HINT)]
    candidates += [({k: np.clip(g, -c, c) for k, g in grads_ref.items()}, CLIP_HINT) for c in (1, 5, 10, 15)]
    for flags, hint in grad_variants(model):
        candidates.append((_variant_run(model, X, params, Y, **flags)[1], hint))
    for keys in (sorted(mine), [key]):     # first a variant that explains every gradient
        for candidate, hint in candidates:
            if explains(candidate, keys):
                return hint
    return None


# ---------------------------------------------------------------------------------------------
# The judge every unit of this assignment shares
# ---------------------------------------------------------------------------------------------

class BpttJudge(UnitJudge):
    """A unit of this assignment: `checks` {aspect: check(case, got, info, where)} judges one
    case's data (a Verdict, or None when it agrees), `across` {aspect: check(judging)} the
    aspect's cases together once each has passed. Before either, the framework's "not answered
    yet" and "raised", and a first name that is not a function."""

    def __init__(self, checks=None, across=None, reference=None, given_extra=None):
        super().__init__(reference=reference, given_extra=given_extra)
        self.checks, self.across = dict(checks or {}), dict(across or {})

    def judge_error(self, judging, case, device, got, info):
        if "not_callable" in info:
            return v.contract(info["not_callable"], "is not a function", self.where(case, device))
        return super().judge_error(judging, case, device, got, info)

    def judge_case(self, judging, case, device, got, info):
        return self.checks[judging.aspect](case, got, info, self.where(case, device))

    def judge_extras(self, judging, extras):
        check = self.across.get(judging.aspect)
        return check(judging) if check else None


# ---------------------------------------------------------------------------------------------
# Forward/backward pairs
# ---------------------------------------------------------------------------------------------

class ModelPairJudge(BpttJudge):
    """A model's forward/backward pair ('rnn', 'lstm' or 'gru'): the unit defines the forward,
    then the backward; the backward is the culprit when it failed after the forward ran."""

    def __init__(self, model):
        super().__init__(reference=REF_PAIR[model])
        self.model = model

    def judge_error(self, judging, case, device, got, info):
        if "error" not in info:
            return super().judge_error(judging, case, device, got, info)
        forward, backward = judging.unit.defines
        culprit = backward if judging.aspect == "backward" and "probs" in got else forward
        if str(info["error"]).startswith("NotImplementedError"):
            return v.not_answered(culprit)
        return v.raised(culprit, info["error"], self.where(case, device), case.hint)

    def judge_case(self, judging, case, device, got, info):
        model, (fwd_name, bwd_name) = self.model, judging.unit.defines
        where = self.where(case, device)
        X, params, Y = case.inputs(model)
        probs_ref, cache = self.reference[0](X.copy(), {q: w.copy() for q, w in params.items()})
        probs = got.get("probs")
        if probs is None or probs.shape != probs_ref.shape:
            return v.failed(f"{fwd_name}'s probabilities", f"have shape {None if probs is None else probs.shape}, "
                            f"expected {probs_ref.shape}", where, case.hint, "shape")
        if not close(probs, probs_ref, "float64"):
            named = next((hint for flags, hint in FORWARD_VARIANTS[model]
                          if matches_variant(probs, _variant_run(model, X, params, Y, **flags)[0])), None)
            if named is None and not np.allclose(probs.sum(axis=1), 1):
                named = NOT_SOFTMAX
            return v.failed(f"{fwd_name}'s probabilities", "differ from the expected values", where,
                            named or case.hint or GENERIC_FORWARD[model], "values", max_abs_error(probs, probs_ref))
        if info.get("modified"):
            return v.contract(f"{fwd_name} or {bwd_name}", f"modified its input(s) {', '.join(info['modified'])} "
                              "in place", where, symptom="inplace")
        if judging.aspect != "backward":
            return None
        if "grads_type" in info:
            return v.contract(bwd_name, f"returned a {info['grads_type']}", where,
                              GRADS_NOT_DICT.format(keys=", ".join(params)))
        missing = [q for q in params if q not in info.get("grad_keys", [])]
        if missing:
            return v.contract(f"{bwd_name}'s dict", f"has no gradient for {', '.join(missing)}", where,
                              symptom="missing")
        grads_ref = self.reference[1](Y.copy(), cache)
        mine = {q: got[f"grad:{q}"] for q in params}
        for key in ("Wy", "by") + tuple(q for q in params if q not in ("Wy", "by")):
            expected = grads_ref[key]
            if mine[key].shape != expected.shape:
                return v.wrong_shape(f"The gradient of {key}", mine[key].shape,
                                     f"{expected.shape} (the shape of {key})", where)
            if not close(mine[key], expected, "float64"):
                named = _named_grad_bug(model, X, params, Y, grads_ref, mine, key)
                return v.values_differ(f"The gradient of {key}", where, max_abs_error(mine[key], expected),
                                       named or case.hint or GENERIC_BACKWARD, expected="the expected one",
                                       symptom="gradient")
        for key in params:
            num = got.get(f"num:{key}")
            if num is not None and max_abs_error(mine[key], num) > FD_TOLERANCE * max(1.0, float(np.abs(num).max())):
                return v.failed(f"Your gradient of {key}", f"disagrees with finite differences of your own "
                                f"{fwd_name}", where, FD_MISMATCH, "gradient")
        return None


# ---------------------------------------------------------------------------------------------
# momentum_step
# ---------------------------------------------------------------------------------------------

def _momentum_variant(params, grads, velocity, lr, momentum, clip, how):
    velocity = velocity if velocity is not None else {k: np.zeros_like(w) for k, w in params.items()}
    new_p, new_v = {}, {}
    for k in params:
        g = grads[k]
        if how == "no_clip":
            step = momentum * velocity[k] - lr * g
        elif how == "clip_velocity":
            step = np.clip(momentum * velocity[k] - lr * g, -clip, clip)
        elif how == "norm_clip":
            norm = np.linalg.norm(g)
            step = momentum * velocity[k] - lr * (g * min(1.0, clip / norm) if norm > 0 else g)
        elif how == "clip_fixed":
            step = momentum * velocity[k] - lr * np.clip(g, -10.0, 10.0)
        elif how == "lr_outside":
            step = momentum * velocity[k] - np.clip(g, -clip, clip)
            new_p[k], new_v[k] = params[k] + lr * step, step
            continue
        elif how == "flipped":
            step = momentum * velocity[k] + lr * np.clip(g, -clip, clip)
            new_p[k], new_v[k] = params[k] - step, step
            continue
        new_p[k], new_v[k] = params[k] + step, step
    return new_p, new_v


MOMENTUM_VARIANTS = [
    ("no_clip", Hint("momentum_step:no_clip", "The gradients are not clipped: clip every element to "
                     "[-clip, clip] before the update.")),
    ("clip_velocity", Hint("momentum_step:clipped_velocity", "Clip the gradient (np.clip(g, -clip, clip)) "
                           "before the update, not the velocity.")),
    ("norm_clip", Hint("momentum_step:norm_clip", "Clip each gradient element to [-clip, clip] (np.clip), not "
                       "the gradient's norm.")),
    ("clip_fixed", Hint("momentum_step:fixed_clip", "Use the clip argument (default 10.0), not a fixed "
                        "threshold.")),
    ("lr_outside", Hint("momentum_step:lr_outside_velocity", "The learning rate multiplies the gradient inside "
                        "the velocity: v <- momentum * v - lr * g, then theta <- theta + v.")),
    ("flipped", Hint("momentum_step:velocity_sign", "The velocity has the opposite sign of the contract's: "
                     "v <- momentum * v - lr * g, theta <- theta + v.")),
]
MOMENTUM_GENERIC = Hint("momentum_step:update", "Check the order: clip g to [-clip, clip], v <- momentum * v - "
                        "lr * g, theta <- theta + v.")
RETURN_DICTS = Hint("momentum_step:return_dicts", "Return two dicts, (params, velocity).")
NEW_ARRAYS = Hint("momentum_step:in_place", "Build new arrays (theta + v, not theta += v) and new dicts.")
NEW_DICTS = Hint("momentum_step:same_dict", "Return new dicts and leave the inputs unchanged.")


def _momentum_outputs(case, info, where):
    """A verdict when the returned params or velocity is not a dict with every key."""
    keys = [q for q, _ in case.shapes]
    for what in ("params", "velocity"):
        if f"{what}_type" in info:
            return v.contract("momentum_step", f"returned {what} as a {info[f'{what}_type']}", where, RETURN_DICTS)
        missing = [q for q in keys if q not in info.get(f"{what}_keys", [])]
        if missing:
            return v.contract(f"The returned {what} dict", f"has no {', '.join(missing)}", where, symptom="missing")
    return None


def momentum_values(case, got, info, where):
    """The new params and velocity against the reference's; a known wrong variant names the bug."""
    found = _momentum_outputs(case, info, where)
    if found:
        return found
    keys = [q for q, _ in case.shapes]
    params, grads, velocity = case.inputs()
    clip = 10.0 if case.clip is None else case.clip
    expected = ref.momentum_step(params, grads, velocity, case.lr, case.momentum, clip)
    for idx, what in enumerate(("params", "velocity")):
        for q in keys:
            mine, want = got[f"{what}:{q}"], expected[idx][q]
            if mine.shape != want.shape:
                return v.wrong_shape(f"The returned {what}['{q}']", mine.shape, want.shape, where)
            if not close(mine, want, "float64"):
                named = None
                for how, hint in MOMENTUM_VARIANTS:
                    variant = _momentum_variant(params, grads, velocity, case.lr, case.momentum, clip, how)
                    if all(matches_variant(got[f"{w}:{p}"], variant[i][p])
                           for i, w in enumerate(("params", "velocity")) for p in keys):
                        named = hint
                        break
                return v.values_differ(f"The returned {what}['{q}']", where, max_abs_error(mine, want),
                                       named or MOMENTUM_GENERIC, expected="the expected one")
    return None


def momentum_purity(case, got, info, where):
    """The inputs left unchanged and new dicts returned."""
    found = _momentum_outputs(case, info, where)
    if found:
        return found
    if info.get("modified"):
        return v.contract("momentum_step", f"modified its inputs ({', '.join(info['modified'])}) in place", where,
                          NEW_ARRAYS, "inplace")
    if info.get("same_dict"):
        return v.contract("momentum_step", f"returned the {' and '.join(info['same_dict'])} dict it was given",
                          where, NEW_DICTS, "inplace")
    return None


# ---------------------------------------------------------------------------------------------
# confusion_matrix
# ---------------------------------------------------------------------------------------------

TRANSPOSED = Hint("confusion_matrix:transposed", "Rows are the actual classes and columns the predicted ones: "
                  "your matrix is transposed.")
SET_NOT_COUNTED = Hint("confusion_matrix:assigns_not_counts", "Count every pair: add 1 (+=) for each sample "
                       "rather than setting the entry to 1.")
ONE_BASED = Hint("confusion_matrix:one_based_labels", "Labels are 0-based (0..K-1): index with the labels "
                 "themselves, not label - 1.")
ROWS_NORMALISED = Hint("confusion_matrix:rows_normalised", "Return counts, not rows normalised to fractions.")
COUNT_PAIRS = Hint("confusion_matrix:counts", "Add 1 at [actual, predicted] for every sample.")
INTEGER_COUNTS = Hint("confusion_matrix:integer_dtype", "Return an integer array of counts.")


def _confusion_hint(out, expected):
    """The likely bug whose matrix the student's matches (known variants of the counts)."""
    if np.array_equal(out, expected.T):
        return TRANSPOSED
    if np.array_equal(out, np.minimum(expected, 1)):
        return SET_NOT_COUNTED
    if np.array_equal(out, np.roll(expected, (-1, -1), (0, 1))):
        return ONE_BASED
    if np.allclose(out, expected / np.maximum(expected.sum(axis=1, keepdims=True), 1)):
        return ROWS_NORMALISED
    return COUNT_PAIRS


def confusion_values(case, got, info, where):
    """Shape, counts, integer dtype, labels left unchanged."""
    y_true, y_pred = case.inputs()
    expected = ref.confusion_matrix(y_true, y_pred, case.K)
    out = got.get("out")
    if out is None or out.shape != expected.shape:
        return v.wrong_shape("confusion_matrix's output", None if out is None else out.shape,
                             f"{expected.shape} (num_classes x num_classes)", where, case.hint)
    if not np.array_equal(out, expected):
        return v.failed("confusion_matrix's counts", "differ from the expected ones", where,
                        _confusion_hint(out, expected), "values")
    if not info.get("integer"):
        return v.contract("confusion_matrix", f"returned {info.get('dtype')} values", where, INTEGER_COUNTS, "dtype")
    if info.get("modified"):
        return v.contract("confusion_matrix", "modified its input labels in place", where, symptom="inplace")
    return None


# ---------------------------------------------------------------------------------------------
# train_recurrent: its outputs, the mini-batches it trained on, the momentum steps
# ---------------------------------------------------------------------------------------------

RETURN_PARAMS_HISTORY = Hint("train_recurrent:return_params_history", "Return (params, history) with params "
                             "a dict like the one it was given.")
HISTORY_DICT = Hint("train_recurrent:history_dict", "history is a dict of lists with the keys train_loss, "
                    "val_loss, val_acc.")
HISTORY_PER_EPOCH = Hint("train_recurrent:history_per_epoch", "Record one entry per epoch in each of history's "
                         "lists.")
NO_BACKWARD = Hint("train_recurrent:no_backward", "Compute grads = backward(Y_batch, cache) for every mini-batch.")
ROWS_OF_X = Hint("train_recurrent:rows_not_samples", "Pass X[batch] (samples are the first axis) to forward and "
                 "its cache to backward.")
NO_VALIDATION = Hint("train_recurrent:no_validation_split", "Hold out int(val_fraction * N) samples, chosen with "
                     "rng before the first epoch, and never train on them.")
VALIDATION_SIZE = Hint("train_recurrent:validation_size", "Hold out exactly int(val_fraction * N) samples for "
                       "validation and train on all the others.")
DROPS_LAST_BATCH = Hint("train_recurrent:drops_last_batch", "Each epoch must use every training sample once: "
                        "keep the last, smaller batch.")
NOT_A_PERMUTATION = Hint("train_recurrent:not_a_permutation", "Each epoch visits every training sample once "
                         "(one permutation cut into batches).")
BATCH_SIZES = Hint("train_recurrent:batch_sizes", "Use batch_size samples per batch, the last batch smaller.")
LABELS_WITH_ROWS = Hint("train_recurrent:labels_not_shuffled", "Index X and Y with the same shuffled indices.")
NO_STEP = Hint("train_recurrent:no_momentum_step", "Update the parameters with params, velocity = "
               "momentum_step(params, grads, velocity, lr, momentum) after each mini-batch.")
ONE_STEP_PER_BATCH = Hint("train_recurrent:one_step_per_batch", "Call momentum_step once per mini-batch.")
STEP_ARGUMENTS = Hint("train_recurrent:step_arguments", "Pass train_recurrent's own lr and momentum to "
                      "momentum_step.")
STEP_CLIP = Hint("train_recurrent:step_clip", "Keep momentum_step's default clip.")
FIRST_VELOCITY = Hint("train_recurrent:initial_velocity", "Start from velocity=None (zeros).")
VELOCITY_RESET = Hint("train_recurrent:velocity_reset", "Pass the velocity returned by the previous "
                      "momentum_step call, across batches and epochs.")
INITIAL_PARAMS = Hint("train_recurrent:returns_initial_params", "Return the trained (best) parameters.")
UPDATES = Hint("train_recurrent:updates", "After each batch use params, velocity = momentum_step(params, "
               "backward(Y_batch, cache), velocity, lr, momentum), and forward each batch with the current params.")
CE_OVER_NK = Hint("train_recurrent:ce_mean_over_NK", "The cross-entropy is averaged over N * K entries: average "
                  "-log(probability of the true class) over the N samples only.")
RECORDED_BEFORE = Hint("train_recurrent:history_before_updates", "The losses are recorded before the epoch's "
                       "updates: record them after the epoch's last batch.")
VAL_HINT = Hint("train_recurrent:validation_loss", "Compute it on the held-out samples only (never trained on), "
                "with the parameters after the epoch's last update.")
VAL_PERCENT = Hint("train_recurrent:val_acc_percent", "Record the fraction correct, in [0, 1].")
VAL_ACCURACY = Hint("train_recurrent:validation_accuracy", "Record the fraction of validation samples whose most "
                    "probable class is the true one.")
TRAIN_LOSS = Hint("train_recurrent:train_loss", "Average the losses of the forward passes of the epoch's batches.")


def _calls(got, which):
    lengths, idx = got.get(f"{which}:len"), got.get(f"{which}:idx")
    if lengths is None or idx is None:
        return []
    out, start = [], 0
    for length in lengths:
        out.append(idx[start:start + length])
        start += length
    return out


def _run_outputs(case, got, info, where):
    """(params, history, None) the student returned, or (None, None, a verdict)."""
    if "params_type" in info:
        return None, None, v.contract("train_recurrent", f"returned params as a {info['params_type']}", where,
                                      RETURN_PARAMS_HISTORY)
    params0 = case.data()[2]
    missing = [q for q in params0 if q not in info.get("params_keys", [])]
    if missing:
        return None, None, v.contract("The returned params dict", f"has no {', '.join(missing)}", where,
                                      symptom="missing")
    if "history_type" in info:
        return None, None, v.contract("train_recurrent", f"returned history as a {info['history_type']}", where,
                                      HISTORY_DICT)
    lacking = [q for q in ("train_loss", "val_loss", "val_acc") if q not in info.get("history_keys", [])]
    if lacking:
        return None, None, v.contract("history", f"has no {', '.join(lacking)}", where, HISTORY_DICT, "missing")
    params = {q: got[f"params:{q}"] for q in params0}
    history = {q: got[f"history:{q}"] for q in ("train_loss", "val_loss", "val_acc")}
    if len({len(h) for h in history.values()}) != 1:
        return None, None, v.contract("history's lists", f"have lengths {[len(h) for h in history.values()]}",
                                      where, HISTORY_PER_EPOCH)
    return params, history, None


def _epochs(case, batches, where):
    """Split the backward calls into epochs: (list of epochs (lists of index arrays), validation
    rows, None), or (None, None, a verdict)."""
    n, n_val = case.N, case.n_val
    if not batches:
        return None, None, v.failed("train_recurrent", "never called backward", where, NO_BACKWARD)
    if any((b < 0).any() for b in batches):
        return None, None, v.contract("backward", "received rows that are not rows of X", where, ROWS_OF_X)
    trained = set(np.concatenate(batches).tolist())
    validation = sorted(set(range(n)) - trained)
    if len(validation) != n_val:
        if not validation:
            return None, None, v.failed("train_recurrent", f"trained on every sample (int(val_fraction * N) = "
                                        f"{n_val} must be held out)", where, NO_VALIDATION)
        return None, None, v.failed("The validation split", f"holds {len(validation)} samples (those never "
                                    f"trained on), not int(val_fraction * N) = {n_val}", where, VALIDATION_SIZE)
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
                return None, None, v.failed("Each epoch", f"skips the last, smaller batch of {n_train % bs} "
                                            f"(with {n_train} training samples and batch_size={bs})", where,
                                            DROPS_LAST_BATCH)
            return None, None, v.failed(f"In epoch {e} some training samples", "were used twice and others not at "
                                        "all", where, NOT_A_PERMUTATION)
        if sizes != expected_sizes:
            return None, None, v.failed(f"Epoch {e}", f"used batches of sizes {sizes} where {expected_sizes} were "
                                        "expected", where, BATCH_SIZES)
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
    """The momentum_step calls: one per batch, train_recurrent's lr and momentum, the default
    clip, the velocity from None on and carried from call to call."""
    if not info.get("has_momentum_step"):
        return None
    steps = info.get("steps", [])
    if not steps:
        return v.failed("momentum_step", "was never called", where, NO_STEP)
    if len(steps) != n_batches:
        return v.failed("momentum_step", f"was called {len(steps)} times for {n_batches} mini-batches", where,
                        ONE_STEP_PER_BATCH)
    for given, lr, momentum, clip in steps:
        if lr != case.lr or momentum != case.momentum:
            return v.failed("momentum_step", f"was called with lr={lr:g}, momentum={momentum:g}", where,
                            STEP_ARGUMENTS)
        if clip is not None and clip != 10.0:
            return v.failed("momentum_step", f"was called with clip={clip:g}", where, STEP_CLIP)
    if steps[0][0] != "none" and case.momentum:
        return v.failed("The first momentum_step call", "got a velocity", where, FIRST_VELOCITY)
    if any(s[0] != "previous" for s in steps[1:]) and case.momentum:
        return v.failed("The velocity", "was reset during training", where, VELOCITY_RESET)
    return None


def _loss_hint(got, expected):
    got = np.asarray(got)
    for factor in (2, 3):
        if got.shape == expected.shape and np.allclose(got * factor, expected, rtol=1e-6):
            return CE_OVER_NK
    if got.shape == expected.shape and len(got) > 1 and np.allclose(got[1:], expected[:-1], rtol=1e-6):
        return RECORDED_BEFORE
    return None


def _rounded(values):
    return np.round(values, 4).tolist()


def _judge_history(history, expected, where):
    """expected: per epoch (val_loss, val_acc, weighted train loss, plain mean train loss)."""
    E = len(expected)
    if len(history["val_loss"]) != E:
        return v.failed("history", f"holds {len(history['val_loss'])} entries after {E} epochs", where,
                        HISTORY_PER_EPOCH)
    val = np.array([e[0] for e in expected])
    acc = np.array([e[1] for e in expected])
    if not np.allclose(history["val_loss"], val, rtol=1e-6, atol=1e-9):
        return v.failed("history['val_loss']", f"differs from the validation cross-entropy after each epoch "
                        f"(expected {_rounded(val)}, got {_rounded(history['val_loss'])})", where,
                        _loss_hint(history["val_loss"], val) or VAL_HINT, "values")
    if not np.allclose(history["val_acc"], acc, atol=1e-9):
        if np.allclose(history["val_acc"], 100 * acc, atol=1e-7):
            return v.failed("history['val_acc']", "is in percent", where, VAL_PERCENT, "values")
        return v.failed("history['val_acc']", "differs from the validation accuracy after each epoch", where,
                        VAL_ACCURACY, "values")
    weighted = np.array([e[2] for e in expected])
    plain = np.array([e[3] for e in expected])
    if not (np.allclose(history["train_loss"], weighted, rtol=1e-6, atol=1e-9)
            or np.allclose(history["train_loss"], plain, rtol=1e-6, atol=1e-9)):
        return v.failed("history['train_loss']", f"is not the mean cross-entropy of the epoch's mini-batches "
                        f"(expected {_rounded(weighted)}, got {_rounded(history['train_loss'])})", where,
                        _loss_hint(history["train_loss"], weighted) or TRAIN_LOSS, "values")
    return None


def training_updates(case, got, info, where):
    """Replay the student's mini-batches on the reference RNN: the momentum steps, the returned
    parameters (one epoch's), the history."""
    params, history, found = _run_outputs(case, got, info, where)
    if found:
        return found
    if info.get("label_mismatch"):
        return v.failed("backward", "received labels that do not belong to the rows passed to forward", where,
                        LABELS_WITH_ROWS)
    epochs, validation, found = _epochs(case, _calls(got, "backward"), where)
    if found:
        return found
    found = _check_steps(case, info, sum(len(e) for e in epochs), where)
    if found:
        return found
    replay = _replay(case, epochs, validation)
    if not any(_params_equal(params, snapshot) for snapshot, *_ in replay):
        if _params_equal(params, case.data()[2]):
            return v.failed("train_recurrent", "returned the initial parameters", where, INITIAL_PARAMS)
        return v.failed("The returned parameters", "match no epoch of the momentum updates replayed on your "
                        "mini-batches", where, UPDATES, "values")
    return _judge_history(history, [(val, acc, w, m) for _, val, acc, w, m in replay], where)


def training_stopping(case, got, info, where):
    """The scripted model: stop after `patience` epochs without improvement, return the best
    epoch's parameters, record its table in the history."""
    params, history, found = _run_outputs(case, got, info, where)
    if found:
        return found
    epochs, _, found = _epochs(case, _calls(got, "backward"), where)
    if found:
        return found
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
    losses = ", ".join(f"{value:g}" for value in table[:max(E, stop)])
    if E > stop:
        tie = any(table[i] == min(table[:i]) for i in range(1, stop))
        return v.failed("Training", f"went on for {E} epochs where it should stop after {stop} (validation "
                        f"losses {losses})", where,
                        Hint("train_recurrent:stops_late", f"Stop once the loss has not improved for "
                             f"patience={case.patience} epochs in a row"
                             + (" (an equal loss is no improvement)." if tie else ".")))
    if E < stop:
        return v.failed("Training", f"stopped after {E} epochs where it should go on to {stop} (validation "
                        f"losses {losses})", where,
                        Hint("train_recurrent:stops_early", f"Stop only after patience={case.patience} epochs "
                             "in a row without improvement" + (" (or at max_epochs)." if stop == case.max_epochs
                                                               else ".")))
    per_epoch = -(-(case.N - case.n_val) // case.batch_size)
    w = float(params["w"].reshape(-1)[0]) if params["w"].size else np.nan
    if not np.isclose(w, best_epoch * per_epoch):
        if np.isclose(w / per_epoch, E):
            return v.failed("train_recurrent", "returned the last epoch's parameters", where,
                            Hint("train_recurrent:returns_last_params", f"Return those of the epoch with the "
                                 f"lowest validation loss (epoch {best_epoch}), kept when it was reached."))
        return v.failed("train_recurrent", f"returned parameters other than the best epoch's (epoch {best_epoch})",
                        where, Hint("train_recurrent:best_params", "Keep the params of the epoch with the lowest "
                                    "validation loss."))
    expected = []
    for e in range(1, E + 1):
        loss = table[e - 1]
        train = 2.0 if e == 1 else table[e - 2]
        expected.append((loss, float(np.exp(-loss) > 0.5), train, train))
    return _judge_history(history, expected, where)


def training_run(case, got, info, where):
    """One of the rng runs on its own: its outputs and its epochs are well formed."""
    found = _run_outputs(case, got, info, where)[2]
    return found or _epochs(case, _calls(got, "backward"), where)[2]


GLOBAL_STATE = Hint("train_recurrent:global_random_state", "Draw the split and the shuffles from rng "
                    "(rng.permutation), not np.random.")
SPLIT_FROM_RNG = Hint("train_recurrent:split_not_random", "Choose the held-out samples with rng (e.g. the first "
                      "int(val_fraction * N) of rng.permutation(N)).")
NOT_SHUFFLED = Hint("train_recurrent:no_shuffle", "Draw a fresh permutation from rng every epoch.")
SAME_SHUFFLE = Hint("train_recurrent:same_shuffle", "Draw a fresh permutation from rng at the start of each epoch.")


def training_rng(judging):
    """The rng runs together (probe.RNG_RUNS): the first two share the rng seed under different
    global states and must agree; the third, another seed, must hold out another split; every
    epoch must visit the training samples in a fresh order."""
    plan = judging.probe.plan(judging.aspect, judging.devices)
    where = f"for {plan[0][0].describe()}"
    runs = []
    for k, (case, device) in enumerate(plan):
        got = harness.case_arrays(judging.arrays, judging.aspect, k)
        params, history, _ = _run_outputs(case, got, judging.infos[k], where)
        epochs, validation, _ = _epochs(case, _calls(got, "backward"), where)
        runs.append((params, history, epochs, validation))
    (pa, ha, ea, va), (pb, hb, eb, _), (_, _, _, vc) = runs
    same = (all(np.array_equal(pa[q], pb[q]) for q in pa) and all(np.array_equal(ha[q], hb[q]) for q in ha)
            and len(ea) == len(eb) and all(np.array_equal(np.concatenate(x), np.concatenate(y)) for x, y in zip(ea, eb)))
    if not same:
        return v.failed("Two runs with the same rng seed", "gave different results when numpy's global random "
                        "state changed", where, GLOBAL_STATE)
    if va == vc:
        return v.failed("The validation split", "is the same for different rng seeds", where, SPLIT_FROM_RNG)
    orders = [np.concatenate(e) for e in ea]
    if all(np.array_equal(o, np.sort(o)) for o in orders):
        return v.failed("The training samples", "are not shuffled", where, NOT_SHUFFLED)
    if any(np.array_equal(orders[0], o) for o in orders[1:]):
        return v.failed("Every epoch", "visits the training samples in the same order", where, SAME_SHUFFLE)
    return None


# ---------------------------------------------------------------------------------------------
# The units' judges
# ---------------------------------------------------------------------------------------------

JUDGES = judges_for(
    TABLE, P.PROBES,
    rnn_bptt=ModelPairJudge("rnn"),
    lstm_bptt=ModelPairJudge("lstm"),
    gru_bptt=ModelPairJudge("gru"),
    momentum_step=BpttJudge(checks={"values": momentum_values, "pure": momentum_purity}),
    confusion_matrix=BpttJudge(checks={"values": confusion_values}),
    train_recurrent=BpttJudge(checks={"updates": training_updates, "stopping": training_stopping,
                                      "rng": training_run},
                              across={"rng": training_rng}, given_extra=GRADER_MODEL),
)
