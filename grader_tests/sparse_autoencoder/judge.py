"""The judge of `sparse_autoencoder` (SPEC 4.2): recompute with `reference/` and compare.

Each check runs the student's answer cell alone in the given code's namespace. `train_autoencoder`
builds on `init_weights` and `ae_cost` (units.py): it gets the *reference* versions there (SPEC 3,
isolation), wrapped so that they record their calls while a probe runs; a bug in the student's
cost is never charged twice.

The probe half (probe.py) runs the student's code on the grader's inputs in the sandbox and
returns plain arrays; each unit's `NumpyUnitJudge` recomputes with `reference/` (the cost and
preprocessing through PyTorch float64, on CUDA when available) and returns a verdict naming the
likely bug (found by matching the student's numbers against known wrong variants). The
numpy-only rule is checked by the framework (rules.py).
"""
import dataclasses
import math

import numpy as np

from reference import sparse_autoencoder as ref
from grader_tests.framework.contract import verdict as v
from grader_tests.framework.contract.numerics import (
    FD_TOLERANCE, FLOAT64, INIT_BOUND_SLACK, UNIFORM_MAX_FRACTION, UNIFORM_MIN_SAMPLES, matches_variant,
    max_abs_error, std_ratio_uniform, uniform_mean_limit, uniform_std_band)
from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.judging.kinds import UnitJudge, judges_for
from grader_tests.sparse_autoencoder.probe import (
    KEYS, PROBES, RNG_RUNS, a_type, ae_inputs, preprocess_input, train_data)
from grader_tests.sparse_autoencoder.units import TABLE

# train_autoencoder's namespace: its reference init_weights and ae_cost record their calls.
RECORDER = '''
_grader_recording = {"calls": None}   # while the grader checks train_autoencoder: a list of calls


def _grader_recorded(function):
    def recorded(*args, **kwargs):
        result = function(*args, **kwargs)
        calls = _grader_recording["calls"]
        if calls is not None:
            kept = tuple(np.array(a) if isinstance(a, np.ndarray) else a for a in args)
            out = {k: np.array(v) for k, v in result.items()} if isinstance(result, dict) else None
            calls.append((function.__name__, kept, dict(kwargs), out))
        return result
    recorded.__name__, recorded.__doc__ = function.__name__, function.__doc__
    return recorded


init_weights = _grader_recorded(init_weights)
ae_cost = _grader_recorded(ae_cost)
'''


def reference_device(devices):
    """The device the judge runs the PyTorch reference on: the first grading device."""
    return str(devices[0]) if devices else ref.default_device()


def _close(actual, expected, scale=None):
    err = max_abs_error(actual, expected)
    scale = float(np.max(np.abs(expected))) if scale is None and np.size(expected) else (scale or 0.0)
    return err <= FLOAT64["atol"] + FLOAT64["rtol"] * scale


def _where(case):
    return f"for {case.describe()}"


def _failure(name, info, where):
    """A verdict when one run of the student's code raised or broke the contract, else None
    (the framework reports a case's failure itself; this is for runs within one case)."""
    if str(info.get("error", "")).startswith("NotImplementedError"):
        return v.not_answered(name)
    if "error" in info:
        return v.raised(name, info["error"], where)
    if "broken" in info:
        return v.contract(name, info["broken"], where)
    return None


# ---------------------------------------------------------------------------------------------
# preprocess
# ---------------------------------------------------------------------------------------------

def _pre_variant(x, weights=ref.LUMA, center="image", ddof=0, k=3.0, sigma="batch",
                 clip=True, mapping="sigma", sigma_before=False):
    y = weights[0] * x[:, 0] + weights[1] * x[:, 1] + weights[2] * x[:, 2]
    raw = y
    if center == "image":
        y = y - y.mean(axis=(1, 2), keepdims=True)
    elif center == "batch":
        y = y - y.mean()
    elif center == "pixel":
        y = y - y.mean(axis=0, keepdims=True)
    src = raw if sigma_before else y
    with np.errstate(all="ignore"):
        s = src.std(axis=(1, 2), ddof=ddof, keepdims=True) if sigma == "image" else src.std(ddof=ddof)
        if clip:
            y = np.clip(y, -k * s, k * s)
        if mapping == "minmax":
            return 0.1 + 0.8 * (y - y.min()) / (y.max() - y.min())
        if mapping == "unit":
            return (y + k * s) / (2 * k * s)
        return 0.1 + 0.8 * (y + k * s) / (2 * k * s)


LUMA_WEIGHTS = Hint("preprocess:luma_weights", "Check the luminosity weights: Y = 0.2126 R + 0.7152 G + "
                    "0.0722 B with R, G, B the channels 0, 1, 2 of axis 1.")
PRE_VARIANTS = [
    (dict(weights=(1 / 3, 1 / 3, 1 / 3)), LUMA_WEIGHTS),
    (dict(weights=ref.LUMA[::-1]), LUMA_WEIGHTS),
    (dict(weights=(0.299, 0.587, 0.114)), LUMA_WEIGHTS),
    (dict(weights=(0.02126, 0.7152, 0.0722)), LUMA_WEIGHTS),
    (dict(center="none"), Hint("preprocess:no_centering", "Subtract each image's own mean (over its 16 x 16 "
                               "pixels) before computing sigma.")),
    (dict(center="batch"), Hint("preprocess:batch_mean", "Subtract each image's own mean (over its 16 x 16 "
                                "pixels), not the mean of the whole batch.")),
    (dict(center="pixel"), Hint("preprocess:pixel_mean", "Subtract each image's own mean (over its 16 x 16 "
                                "pixels), not each pixel's mean over the batch.")),
    (dict(ddof=1), Hint("preprocess:ddof_1", "sigma is numpy's default std (ddof = 0), not the sample std "
                        "(ddof = 1).")),
    (dict(sigma="image"), Hint("preprocess:sigma_per_image", "sigma is one number: the std of all "
                               "mean-subtracted pixels of the whole batch, not one per image.")),
    (dict(sigma_before=True), Hint("preprocess:sigma_before_centering", "Compute sigma after subtracting "
                                   "each image's mean.")),
    (dict(k=2.0), Hint("preprocess:clip_2_sigma", "Clip at +-3 sigma, not +-2 sigma.")),
    (dict(k=1.0), Hint("preprocess:clip_1_sigma", "Clip at +-3 sigma, not +-1 sigma.")),
    (dict(clip=False), Hint("preprocess:no_clipping", "Clip the values to [-3 sigma, 3 sigma] before "
                            "mapping them.")),
    (dict(mapping="minmax"), Hint("preprocess:minmax_mapping", "Map the interval [-3 sigma, 3 sigma] "
                                  "linearly onto [0.1, 0.9], not the data's own minimum and maximum.")),
    (dict(mapping="unit"), Hint("preprocess:output_range", "The output range is [0.1, 0.9]: -3 sigma maps "
                                "to 0.1 and +3 sigma to 0.9.")),
]
PRE_GENERIC = Hint("preprocess:generic", "Check each step: Y = 0.2126 R + 0.7152 G + 0.0722 B; subtract "
                   "each image's mean; sigma = std of all mean-subtracted pixels of the batch; clip to "
                   "+-3 sigma; map [-3 sigma, 3 sigma] onto [0.1, 0.9].")
PRE_INPLACE = Hint("preprocess:inplace", "Build new arrays (y = y - mean, not data -= ...; no in-place edits "
                   "of data or its channels).")
PRE_NOT_DETERMINISTIC = Hint("preprocess:not_deterministic", "The same data must give the same result: no "
                             "random draws, nothing kept between calls.")
PRE_FLOAT64 = Hint("preprocess:float64", "Return float64 values.")


def _diagnose_preprocess(x, got):
    for flags, hint in PRE_VARIANTS:
        variant = _pre_variant(x, **flags)
        if variant.shape == got.shape and np.isfinite(variant).all() and matches_variant(got, variant):
            return hint
    return PRE_GENERIC


def _judge_preprocess_values(case, got, info, device):
    where = _where(case)
    x = preprocess_input(case)
    expected = ref.preprocess_torch(x, device)
    out = got.get("out")
    if out is None or out.shape != expected.shape:
        return v.wrong_shape("preprocess's output", None if out is None else out.shape, expected.shape, where,
                             case.hint)
    if info.get("out_dtype") != "float64":
        return v.contract("preprocess's output", f"is {info.get('out_dtype')}", where, PRE_FLOAT64, "dtype")
    if not _close(out, expected):
        nan = " and contains NaN" if np.isnan(out).any() else ""
        return v.failed("preprocess's output", f"differs from the expected values{nan}", where,
                        case.hint or _diagnose_preprocess(x, out), "values", max_abs_error(out, expected))
    return None


def _judge_preprocess_input(case, got, info, device):
    if info.get("modified_input"):
        return v.contract("preprocess", "modified its input in place", _where(case), PRE_INPLACE, "inplace")
    if "out2" in got and "out" in got and not np.array_equal(got["out"], got["out2"]):
        return v.failed("preprocess", "gave different results when called twice on the same data", _where(case),
                        PRE_NOT_DETERMINISTIC, "state")
    return None


# ---------------------------------------------------------------------------------------------
# init_weights
# ---------------------------------------------------------------------------------------------

INIT_KEYS = Hint("init_weights:keys", "The keys must be W1, b1, W2, b2.")
INIT_FLOAT64 = Hint("init_weights:float64", "Use float64.")
INIT_BOUND = Hint("init_weights:bound", "Both layers connect L_in = {L_in} and L_hid = {L_hid} units: every "
                  "array is drawn in +-sqrt(6 / (L_in + L_hid)).")
INIT_NOT_UNIFORM = Hint("init_weights:not_uniform", "Draw each of W1, b1, W2, b2 uniformly in "
                        "+-sqrt(6 / (L_pre + L_post)).")
INIT_GLOBAL_RANDOM = Hint("init_weights:global_random", "Draw every value from the Generator rng it is given "
                          "(not np.random.seed, np.random.uniform, ...).")
INIT_NOT_FROM_RNG = Hint("init_weights:not_from_rng", "Draw every value from rng (rng.uniform), nothing else.")
INIT_OWN_GENERATOR = Hint("init_weights:own_generator", "Draw from the rng argument, not from a generator "
                          "of your own.")


def _judge_init_range(case, got, info, device):
    where = _where(case)
    if "keys" not in info:
        return v.contract("init_weights", f"returned {a_type(info.get('type', ''))}, not a dict with keys W1, b1, "
                          "W2, b2", where)
    missing = [k for k in KEYS if k not in info["keys"]]
    if missing:
        return v.contract("init_weights' dict", f"has no {', '.join(missing)}", where, INIT_KEYS, "missing")
    L_in, L_hid = case.L_in, case.L_hid
    shapes = {"W1": (L_in, L_hid), "b1": (L_hid,), "W2": (L_hid, L_in), "b2": (L_in,)}
    r = math.sqrt(6.0 / (L_in + L_hid))
    for k in KEYS:
        w = got[k]
        if w.shape != shapes[k]:
            return v.wrong_shape(k, w.shape, shapes[k], where)
        if info.get(f"dtype:{k}") != "float64":
            return v.contract(k, f"is {info.get(f'dtype:{k}')}", where, INIT_FLOAT64, "dtype")
        top = float(np.abs(w).max())
        if top > r * (1 + INIT_BOUND_SLACK["float64"]):
            return v.failed(k, f"has values up to {top:.3g}, outside +-sqrt(6 / (L_pre + L_post)) = +-{r:.3g}",
                            where, INIT_BOUND.format(L_in=L_in, L_hid=L_hid), "values")
        low, high = uniform_std_band(w.size)
        if w.size >= UNIFORM_MIN_SAMPLES:
            if (top < UNIFORM_MAX_FRACTION * r or not low < std_ratio_uniform(w, r) < high
                    or abs(w.mean()) > uniform_mean_limit(w.size) * r):
                return v.failed(k, f"does not fill the range +-{r:.3g} like a uniform draw (max |value| "
                                f"{top:.3g}, std {w.std():.3g}, expected {r / math.sqrt(3):.3g})", where,
                                INIT_NOT_UNIFORM, "values")
    return None


def _judge_init_rng(case, got, info, device):
    where = _where(case)
    if info.get("global_state_touched"):
        return v.failed("init_weights", "changed numpy's global random state", where, INIT_GLOBAL_RANDOM)
    if not info.get("same_seed_equal"):
        return v.failed("init_weights", "gave different weights for two generators with the same seed", where,
                        INIT_NOT_FROM_RNG)
    if not info.get("other_seed_differs"):
        return v.failed("init_weights", "gave the same weights for generators with different seeds", where,
                        INIT_OWN_GENERATOR)
    return None


# ---------------------------------------------------------------------------------------------
# ae_cost
# ---------------------------------------------------------------------------------------------

def _cost_variant(We, data, params, recon="2N", kl=1.0, kl_form="pq", rho_axis=0, bias_reg=False,
                  lam_half=True, log=np.log, hid_W="W2T", out_deriv="act", hid_deriv="act",
                  kl_grad=1.0, kl_grad_N=True, grad_N=True, lam_grad="W", bias_grad_reg=False,
                  sign=1.0):
    """(J, grads) of the cost with one or more known mistakes (numpy, float64)."""
    sig = ref.sigmoid
    W1, b1, W2, b2 = We["W1"], We["b1"], We["W2"], We["b2"]
    lam, beta, rho = params["lambda"], params["beta"], params["rho"]
    n = data.shape[0]
    a1 = data @ W1 + b1
    h = sig(a1)
    a2 = h @ W2 + b2
    o = sig(a2)
    with np.errstate(all="ignore"):
        rho_hat = h.mean(axis=rho_axis)
        if kl_form == "pq":
            div = rho * log(rho / rho_hat) + (1 - rho) * log((1 - rho) / (1 - rho_hat))
        else:
            div = rho_hat * log(rho_hat / rho) + (1 - rho_hat) * log((1 - rho_hat) / (1 - rho))
        sq = np.sum((o - data) ** 2)
        recon_term = {"2N": sq / (2 * n), "sum": sq / 2, "N": sq / n, "all": sq / (2 * data.size)}[recon]
        decay = np.sum(W1 ** 2) + np.sum(W2 ** 2) + (np.sum(b1 ** 2) + np.sum(b2 ** 2) if bias_reg else 0)
        J = recon_term + (0.5 if lam_half else 1.0) * lam * decay + kl * beta * np.sum(div)
        scale = 1.0 / n if grad_N else 1.0
        d_out = {"act": o * (1 - o), "twice": sig(o) * (1 - sig(o)), "pre": a2 * (1 - a2)}[out_deriv]
        d_hid = {"act": h * (1 - h), "twice": sig(h) * (1 - sig(h)), "pre": a1 * (1 - a1)}[hid_deriv]
        delta_out = (o - data) * d_out * scale
        rh = h.mean(axis=0)
        sparsity = kl_grad * beta * (-rho / rh + (1 - rho) / (1 - rh)) * (1.0 / n if kl_grad_N else 1.0)
        back = delta_out @ (W2.T if hid_W == "W2T" else W1)
        delta_hid = (back + sparsity) * d_hid
        decay_W = {"W": lambda W: lam * W, "none": lambda W: 0.0 * W, "W/N": lambda W: lam * W / n}[lam_grad]
        grads = {"W1": data.T @ delta_hid + decay_W(W1), "b1": delta_hid.sum(axis=0),
                 "W2": h.T @ delta_out + decay_W(W2), "b2": delta_out.sum(axis=0)}
        if bias_grad_reg:
            grads["b1"] = grads["b1"] + lam * b1
            grads["b2"] = grads["b2"] + lam * b2
    return J, {k: sign * v for k, v in grads.items()}


KL_SIGN = Hint("ae_cost:kl_sign", "The KL term has the wrong sign: J adds beta * sum_b KL(rho || rho_hat_b).")
BIASES_REGULARISED = Hint("ae_cost:biases_regularised", "The biases are not regularised: the weight decay is "
                          "lambda/2 (sum W1^2 + sum W2^2) only, and db1, db2 have no lambda * b term.")
J_VARIANTS = [
    (dict(recon="sum"), Hint("ae_cost:J_no_1_over_N", "J is off by a factor close to N in the reconstruction "
                             "term: check the 1/(2N) average over the batch.")),
    (dict(recon="N"), Hint("ae_cost:J_no_half", "The reconstruction term is 1/(2N) sum ||d - o||^2: the 1/2 "
                           "is missing.")),
    (dict(recon="all"), Hint("ae_cost:J_mean_over_entries", "Average the squared error over the N samples "
                             "(1/(2N)), not over all N * L_in entries.")),
    (dict(kl=-1.0), KL_SIGN),
    (dict(kl=0.0), Hint("ae_cost:kl_missing", "J has no sparsity term: add beta * sum_b KL(rho || rho_hat_b).")),
    (dict(kl_form="qp"), Hint("ae_cost:kl_reversed", "KL(rho || rho_hat) = rho log(rho / rho_hat) + (1 - rho) "
                              "log((1 - rho) / (1 - rho_hat)); you compute KL(rho_hat || rho).")),
    (dict(rho_axis=1), Hint("ae_cost:rho_hat_axis", "rho_hat_b is the mean activation of hidden unit b over "
                            "the batch (axis 0), not a mean over the hidden units.")),
    (dict(bias_reg=True), BIASES_REGULARISED),
    (dict(lam_half=False), Hint("ae_cost:decay_no_half", "The weight-decay term is lambda/2 (sum W1^2 + sum "
                                "W2^2): the 1/2 is missing.")),
    (dict(log=np.log10), Hint("ae_cost:kl_log10", "The KL divergence uses natural logarithms (np.log), not "
                              "log10.")),
    (dict(log=np.log2), Hint("ae_cost:kl_log2", "The KL divergence uses natural logarithms (np.log), not log2.")),
]
J_GENERIC = Hint("ae_cost:J_generic", "Check the three terms: 1/(2N) sum ||d - o||^2, lambda/2 (sum W1^2 + "
                 "sum W2^2) and beta sum_b KL(rho || rho_hat_b), with rho_hat the mean hidden activation over "
                 "the batch.")

GRAD_VARIANTS = [
    (dict(hid_W="W1"), Hint("ae_cost:hidden_delta_W1", "Check the hidden delta uses W2^T (delta_out @ W2.T), "
                            "not W1.")),
    (dict(out_deriv="twice"), Hint("ae_cost:output_sigmoid_twice", "The output delta applies the sigmoid "
                                   "derivative to an activation: with o = sigmoid(a2), sigmoid'(a2) = o * (1 - o), "
                                   "not sigmoid(o) * (1 - sigmoid(o)).")),
    (dict(hid_deriv="twice"), Hint("ae_cost:hidden_sigmoid_twice", "The hidden delta applies the sigmoid "
                                   "derivative to an activation: with h = sigmoid(a1), sigmoid'(a1) = h * (1 - h), "
                                   "not sigmoid(h) * (1 - sigmoid(h)).")),
    (dict(out_deriv="twice", hid_deriv="twice"), Hint("ae_cost:sigmoid_twice", "The sigmoid derivative is "
                                                      "applied to activations: with y = sigmoid(a), sigmoid'(a) = "
                                                      "y * (1 - y), not sigmoid(y) * (1 - sigmoid(y)).")),
    (dict(out_deriv="pre"), Hint("ae_cost:output_derivative_preactivation", "The output delta uses a2 * (1 - a2) "
                                 "of the pre-activation; the sigmoid derivative is o * (1 - o) with "
                                 "o = sigmoid(a2).")),
    (dict(hid_deriv="pre"), Hint("ae_cost:hidden_derivative_preactivation", "The hidden delta uses a1 * (1 - a1) "
                                 "of the pre-activation; the sigmoid derivative is h * (1 - h) with "
                                 "h = sigmoid(a1).")),
    (dict(kl_grad=0.0), Hint("ae_cost:kl_gradient_missing", "The sparsity term's gradient is missing from the "
                             "hidden delta: add beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat)) before "
                             "multiplying by h * (1 - h).")),
    (dict(kl_grad=-1.0), Hint("ae_cost:kl_gradient_sign", "The sparsity term's gradient has the wrong sign: it "
                              "is + beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat)).")),
    (dict(kl=-1.0, kl_grad=-1.0), KL_SIGN),
    (dict(kl_grad_N=False), Hint("ae_cost:kl_gradient_not_averaged", "The sparsity gradient is N times too "
                                 "large: like the rest of the hidden delta it is averaged over the batch "
                                 "(divide by N).")),
    (dict(grad_N=False, kl_grad_N=False), Hint("ae_cost:grads_not_averaged", "The gradients are not averaged "
                                               "over the batch: J has 1/(2N), so each gradient has 1/N (but not "
                                               "the weight-decay part).")),
    (dict(grad_N=False), Hint("ae_cost:reconstruction_grads_not_averaged", "The reconstruction gradients are "
                              "not averaged over the batch: divide them by N like J.")),
    (dict(lam_grad="none"), Hint("ae_cost:decay_gradient_missing", "dW1 and dW2 lack the weight-decay gradient "
                                 "lambda * W.")),
    (dict(lam_grad="W/N"), Hint("ae_cost:decay_gradient_over_N", "The weight-decay gradient is lambda * W, not "
                                "lambda * W / N.")),
    (dict(bias_grad_reg=True), Hint("ae_cost:bias_gradients_regularised", "The biases are not regularised: db1 "
                                    "and db2 have no lambda * b term.")),
    (dict(bias_reg=True, bias_grad_reg=True), BIASES_REGULARISED),
    (dict(sign=-1.0), Hint("ae_cost:gradient_sign", "Every gradient has the wrong sign: grads are dJ/dW (the "
                           "update subtracts them).")),
    (dict(recon="sum", grad_N=False, kl_grad_N=False), Hint("ae_cost:no_1_over_N", "J and the gradients are off "
                                                            "by a factor close to N: check the 1/(2N) average "
                                                            "(and 1/N in the gradients).")),
]
GRAD_GENERIC = Hint("ae_cost:gradients_generic", "Check delta_out = (o - d) * o * (1 - o) / N, delta_hid = "
                    "(delta_out @ W2.T + beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat)) / N) * h * (1 - h), "
                    "and the weight-decay terms lambda * W on W1 and W2 only.")
COST_INPLACE = Hint("ae_cost:inplace", "Compute new arrays: ae_cost must not modify We or data.")
GRAD_KEYS = Hint("ae_cost:grad_keys", "Use the keys of We (W1, b1, W2, b2).")
GRADS_DISAGREE = Hint("ae_cost:J_and_grads_disagree", "J and grads compute different functions: derive each "
                      "gradient from the J you return.")


def _diagnose_J(We, data, params, J):
    for flags, hint in J_VARIANTS:
        Jv, _ = _cost_variant(We, data, params, **flags)
        if np.isfinite(Jv) and matches_variant(J, Jv):
            return hint
    return J_GENERIC


def _diagnose_grads(We, data, params, grads):
    for flags, hint in GRAD_VARIANTS:
        _, gv = _cost_variant(We, data, params, **flags)
        if all(k in grads and grads[k].shape == gv[k].shape and matches_variant(grads[k], gv[k]) for k in KEYS):
            return hint
    return GRAD_GENERIC


@dataclasses.dataclass
class CostCheck:
    """One ae_cost case with the reference's J and gradients, and the student's J."""
    We: dict
    data: np.ndarray
    params: dict
    J_ref: float
    g_ref: dict
    J: float
    where: str

    @classmethod
    def of(cls, case, got, device):
        We, data = ae_inputs(case)
        params = case.params()
        J_ref, g_ref = ref.ae_cost_torch(We, data, params, device)
        return cls(We, data, params, J_ref, g_ref, float(got["J"]), _where(case))

    @property
    def J_right(self):
        return _close(self.J, self.J_ref, scale=abs(self.J_ref))


def _judge_cost_value(case, got, info, device):
    where = _where(case)
    if info.get("modified_inputs"):
        return v.contract("ae_cost", f"modified its input(s) {', '.join(info['modified_inputs'])} in place", where,
                          COST_INPLACE, "inplace")
    check = CostCheck.of(case, got, device)
    if not check.J_right:
        return v.values_differ("J", where, hint=_diagnose_J(check.We, check.data, check.params, check.J),
                               expected=f"the expected {check.J_ref:.8g} (yours is {check.J:.8g})")
    return None


def _student_grads(check, got, info):
    """(the student's gradients, None), or (None, the verdict on their keys or shapes)."""
    if "grad_keys" not in info:
        return None, v.contract("ae_cost", f"returned grads as {a_type(info.get('grads_type', ''))}, not a dict "
                                "with keys W1, b1, W2, b2", check.where)
    grads = {k: got[f"grad:{k}"] for k in KEYS if f"grad:{k}" in got}
    missing = [k for k in KEYS if k not in grads]
    if missing:
        return None, v.contract("grads", f"has no key(s) {', '.join(missing)}", check.where, GRAD_KEYS, "missing")
    for k in KEYS:
        if grads[k].shape != check.g_ref[k].shape:
            return None, v.wrong_shape(f"grads['{k}']", grads[k].shape,
                                       f"{check.g_ref[k].shape} (the shape of We['{k}'])", check.where)
    return grads, None


def _judge_cost_gradients(case, got, info, device):
    check = CostCheck.of(case, got, device)
    grads, found = _student_grads(check, got, info)
    if found:
        return found
    wrong = [k for k in KEYS if not _close(grads[k], check.g_ref[k])]
    if not wrong:
        return None
    k = wrong[0]
    state = "while J is right" if check.J_right else "and J is wrong too"
    also = f" (also wrong: {', '.join('d' + w for w in wrong[1:])})" if wrong[1:] else ""
    return v.failed(f"d{k}", f"is wrong {state}{also}", check.where,
                    _diagnose_grads(check.We, check.data, check.params, grads), "gradient",
                    max_abs_error(grads[k], check.g_ref[k]))


def _judge_cost_consistency(case, got, info, device):
    """The student's gradients against finite differences of the student's own J."""
    check = CostCheck.of(case, got, device)
    grads, found = _student_grads(check, got, info)
    if found:
        return found
    bad = []
    for k in KEYS:
        num = got.get(f"num:{k}")
        if num is None:
            return v.contract(f"d{k}", "could not be checked against finite differences of your J (the grader's "
                              "run stopped)", check.where, symptom="run")
        err = max_abs_error(grads[k], num)
        if not err <= FD_TOLERANCE * max(1.0, float(np.abs(num).max())):
            bad.append((k, err))
    if not bad:
        return None
    if check.J_right:
        k, err = bad[0]
        return v.failed(f"Your d{k}", "disagrees with finite differences of your own J while J is right",
                        check.where, _diagnose_grads(check.We, check.data, check.params, grads), "gradient", err)
    return v.failed(f"Your gradients ({', '.join('d' + q for q, _ in bad)})",
                    "disagree with finite differences of your own J", check.where, GRADS_DISAGREE, "gradient",
                    max(err for _, err in bad))


# ---------------------------------------------------------------------------------------------
# train_autoencoder
# ---------------------------------------------------------------------------------------------

TRAIN_RETURNS = Hint("train:return_value", "Return (We, loss_history) with We a dict like init_weights'.")
HISTORY_PER_EPOCH = Hint("train:history_length", "loss_history holds one J of the whole data per epoch.")
HISTORY_WHOLE_DATA = Hint("train:history_whole_data", "After each epoch append ae_cost(We, data, params)[0] for "
                          "all the data, not a batch's J or an average of batches' J.")
HISTORY_BEFORE_UPDATES = Hint("train:history_before_updates", "Append J of the whole data after the epoch's "
                              "last update (the last entry is J of the returned weights).")
START_FROM_INIT = Hint("train:start_from_init", "Start from init_weights(L_in, L_hid, rng) and return the "
                       "trained weights.")
INIT_RNG = Hint("train:init_rng", "Pass the rng that train_autoencoder receives to init_weights(L_in, L_hid, rng).")
INIT_SIZES = Hint("train:init_sizes", "L_in is the data's width and L_hid is params['L_hid'].")
RETURNS_INITIAL = Hint("train:returns_initial", "Apply the updates to the weights you return.")
BATCH_LARGER_THAN_N = Hint("train:batch_larger_than_N", "With batch_size larger than N the only batch is the "
                           "whole data (the last batch may be smaller than batch_size).")
DROPS_LAST = Hint("train:drops_last_batch", "The last, smaller batch is skipped: every sample must be used "
                  "once per epoch.")
UPDATE_COUNT = Hint("train:update_count", "Make one update per mini-batch (the last may be smaller).")
GRADIENT_ASCENT = Hint("train:gradient_ascent", "The update is W <- W - learning_rate * dJ/dW.")
UPDATE_RULE = Hint("train:update_rule", "Update W1, b1, W2 and b2 with their own gradients after every "
                   "mini-batch and return the final weights.")
NO_DESCENT = Hint("train:no_descent", "Take gradient steps W <- W - learning_rate * dJ/dW.")
BATCH_ROWS = Hint("train:batch_rows", "Pass data[batch_indices] to ae_cost (samples are rows).")
BATCH_COUNT = Hint("train:batch_count", "Cut each epoch's permutation into batches of batch_size rows (the "
                   "last may be smaller).")
NOT_PERMUTATION = Hint("train:not_permutation", "Each epoch uses every sample exactly once (one permutation, "
                       "cut into batches).")
BATCH_SIZES = Hint("train:batch_sizes", "Each batch holds batch_size rows, the last one fewer.")
TRAIN_GLOBAL_RANDOM = Hint("train:global_random", "Draw the shuffles from rng (e.g. rng.permutation(N)), not "
                           "np.random.")
SHUFFLE_IGNORES_RNG = Hint("train:shuffle_ignores_rng", "A fixed seed or a generator of your own? Draw the "
                           "permutations from the rng argument.")
NO_SHUFFLE = Hint("train:no_shuffle", "Draw a fresh permutation from rng at the start of every epoch.")
SHUFFLE_ONCE = Hint("train:shuffle_once", "Draw a fresh permutation from rng at the start of each epoch, not "
                    "once for several.")


def _gd(We, batches, params, lr, device):
    """The reference's weights after one gradient step per batch (rows of data)."""
    We = {k: np.array(v, dtype=np.float64) for k, v in We.items()}
    for batch in batches:
        _, g = ref.ae_cost_torch(We, batch, params, device)
        We = {k: We[k] - lr * g[k] for k in KEYS}
    return We


def _J(We, data, params, device):
    return ref.ae_cost_torch(We, data, params, device)[0]


def _weights_close(got, want):
    return all(k in got and got[k].shape == want[k].shape and _close(got[k], want[k]) for k in KEYS)


@dataclasses.dataclass
class TrainRun:
    """One run of the student's train_autoencoder, ready to replay on the reference cost."""
    case: object
    We: dict
    history: np.ndarray
    init: dict
    data: np.ndarray
    arrays: dict
    info: dict
    device: str
    where: str

    @property
    def params(self):
        return self.case.params()

    def J(self, We):
        return _J(We, self.data, self.params, self.device)

    def gd(self, We, batches, lr=None):
        return _gd(We, batches, self.params, self.case.lr if lr is None else lr, self.device)


def _train_outputs(prefix, arrays, info, case, where):
    """(We, history, None) from one run's probe data, or (None, None, the verdict)."""
    found = _failure("train_autoencoder", info, where)
    if found:
        return None, None, found
    if "We_keys" not in info:
        return None, None, v.contract("train_autoencoder", f"returned We as {a_type(info.get('We_type', ''))}, "
                                      "not a dict", where, TRAIN_RETURNS)
    We = {k: arrays[f"{prefix}We:{k}"] for k in KEYS if f"{prefix}We:{k}" in arrays}
    shapes = {"W1": (case.L_in, case.L_hid), "b1": (case.L_hid,), "W2": (case.L_hid, case.L_in),
              "b2": (case.L_in,)}
    for k in KEYS:
        if k not in We:
            return None, None, v.contract("The returned We", f"has no '{k}'", where, TRAIN_RETURNS, "missing")
        if We[k].shape != shapes[k]:
            return None, None, v.wrong_shape(f"The returned We['{k}']", We[k].shape, shapes[k], where)
    history = arrays.get(f"{prefix}history")
    if history is None or history.ndim != 1 or history.shape[0] != case.epochs:
        return None, None, v.contract("loss_history", f"has {info.get('history_len')} entries, expected "
                                      f"{case.epochs}", where, HISTORY_PER_EPOCH, "shape")
    if not np.isfinite(history).all():
        return None, None, v.failed("loss_history", "contains NaN or inf", where, symptom="values")
    return We, history, None


def _initial(prefix, arrays, case, seed):
    if all(f"{prefix}init:{k}" in arrays for k in KEYS):
        return {k: arrays[f"{prefix}init:{k}"] for k in KEYS}
    return ref.init_weights(case.L_in, case.L_hid, np.random.default_rng(seed))


def _training_calls(prefix, arrays, n):
    """Index arrays of the mini-batches passed to ae_cost (calls on fewer than n rows)."""
    lengths = arrays.get(f"{prefix}calls:len")
    idx = arrays.get(f"{prefix}calls:idx")
    if lengths is None or idx is None or len(lengths) == 0:
        return None
    batches, start = [], 0
    for length in lengths:
        batch = idx[start:start + length]
        start += length
        if length < n:
            if batches and np.array_equal(batches[-1], batch):
                continue    # the same batch evaluated twice in a row (J, then grads)
            batches.append(batch)
    return batches


def _epochs_of(batches, case, where):
    """Split the mini-batches into epochs: (list of epoch orders, None) or (None, the verdict)."""
    n, batch_size, epochs = case.N, case.batch_size, case.epochs
    per_epoch = -(-n // batch_size)
    if any((b < 0).any() for b in batches):
        return None, v.contract("train_autoencoder", "passed ae_cost rows that are not rows of data", where,
                                BATCH_ROWS)
    if len(batches) != per_epoch * epochs:
        if len(batches) == (n // batch_size) * epochs:
            return None, v.failed("train_autoencoder", f"used {n // batch_size} batches per epoch, expected "
                                  f"{per_epoch}", where, DROPS_LAST, "values")
        return None, v.failed("train_autoencoder", f"called ae_cost on {len(batches)} mini-batches in {epochs} "
                              f"epochs, expected {per_epoch * epochs}", where, BATCH_COUNT, "values")
    orders = []
    for e in range(epochs):
        chunk = batches[e * per_epoch:(e + 1) * per_epoch]
        sizes = [len(b) for b in chunk]
        expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        order = np.concatenate(chunk)
        if sorted(order.tolist()) != list(range(n)):
            return None, v.failed("train_autoencoder", f"used some samples twice and others not at all in epoch "
                                  f"{e + 1}", where, NOT_PERMUTATION, "values")
        if sizes != expected:
            return None, v.failed("train_autoencoder", f"used batches of sizes {sizes} in epoch {e + 1}, "
                                  f"expected {expected}", where, BATCH_SIZES, "values")
        orders.append(order)
    return orders, None


def _judge_history(run, snapshots):
    after = np.array([run.J(w) for w in snapshots])
    if _close(run.history, after, scale=float(np.abs(after).max())):
        return None
    before = np.array([run.J(w) for w in [run.init] + snapshots[:-1]])
    if _close(run.history, before, scale=float(np.abs(before).max())):
        return v.failed("loss_history", "is recorded before each epoch's updates", run.where,
                        HISTORY_BEFORE_UPDATES, "values")
    return v.failed("loss_history", f"does not hold J of the whole data after each epoch (last entry "
                    f"{run.history[-1]:.6g}, J of the returned weights {after[-1]:.6g})", run.where,
                    HISTORY_WHOLE_DATA, "values")


def _replay_unchanged(run):
    """Learning rate 0: the initial weights come back, and every epoch's J is theirs."""
    if not _weights_close(run.We, run.init):
        return v.failed("The returned weights", "differ from those init_weights(L_in, L_hid, rng) gave (the "
                        "learning rate is 0)", run.where, START_FROM_INIT, "values")
    if not _close(run.history, np.full(run.case.epochs, run.J(run.init))):
        return v.failed("loss_history", "does not repeat J of the initial weights (the learning rate is 0)",
                        run.where, HISTORY_WHOLE_DATA, "values")
    return None


def _replay_exact(run):
    """Batches known without a record (one per epoch, or every row the same): the weights after
    every epoch's gradient steps, and the history."""
    case = run.case
    n, bs = case.N, case.batch_size
    sizes = ([bs] * (n // bs) + ([n % bs] if n % bs else [])) if bs < n else [n]
    snapshots, current = [], run.init
    for _ in range(case.epochs):
        current = run.gd(current, [run.data[:s] for s in sizes])
        snapshots.append(current)
    if not _weights_close(run.We, snapshots[-1]):
        return _diagnose_update(run, sizes)
    return _judge_history(run, snapshots)


def _replay_recorded(run):
    """Gradient steps on the mini-batches the code passed to ae_cost, epoch by epoch."""
    case = run.case
    n = case.N
    per_epoch = -(-n // case.batch_size)
    batches = _training_calls("", run.arrays, n)
    if batches is None:
        if run.info.get("n_cost_calls", 0) == 0 and run.history[-1] >= run.J(run.init):
            return v.failed("The loss", "did not decrease", run.where, NO_DESCENT, "values")
        return None    # no record (ae_cost defined in the cell): judged by the exact cases
    orders, found = _epochs_of(batches, case, run.where)
    if found:
        return found
    snapshots, current = [], run.init
    for e in range(case.epochs):
        current = run.gd(current, [run.data[b] for b in batches[e * per_epoch:(e + 1) * per_epoch]])
        snapshots.append(current)
    if not _weights_close(run.We, snapshots[-1]):
        return v.failed("The returned weights", "differ from gradient-descent steps W <- W - learning_rate * dJ/dW "
                        "on the mini-batches your code passed to ae_cost", run.where, UPDATE_RULE, "values",
                        max(max_abs_error(run.We[k], snapshots[-1][k]) for k in KEYS))
    found = _judge_history(run, snapshots)
    if found:
        return found
    if case.must_decrease and not run.history[-1] < run.J(run.init):
        return v.failed("The loss", "did not decrease", run.where, NO_DESCENT, "values")
    return None


def _diagnose_update(run, sizes):
    case, We, init = run.case, run.We, run.init
    n, bs = case.N, case.batch_size
    if _weights_close(We, init):
        if bs > n:
            return v.failed("train_autoencoder", "made no update", run.where, BATCH_LARGER_THAN_N, "values")
        return v.failed("The returned weights", "are the initial ones", run.where, RETURNS_INITIAL, "values")
    steps = sizes * case.epochs
    if case.rows == "same":     # every row equal: any batch's gradient is one row's, so updates can be counted
        for k in range(0, 3 * len(steps) + 1):
            if k != len(steps) and _weights_close(We, run.gd(init, [run.data[:1]] * k)):
                hint = DROPS_LAST if k == case.epochs * (n // bs) else UPDATE_COUNT
                return v.failed("train_autoencoder", f"made {k} updates in {case.epochs} epochs, expected "
                                f"{len(steps)}", run.where, hint, "values")
    expected = run.gd(init, [run.data[:s] for s in steps])
    if _weights_close(We, run.gd(init, [run.data[:s] for s in steps], lr=-case.lr)):
        return v.failed("The weights", "move up the gradient", run.where, GRADIENT_ASCENT, "values")
    error = max(max_abs_error(We[k], expected[k]) for k in KEYS)
    return v.failed("The returned weights", f"differ from {len(steps)} gradient-descent steps W <- W - "
                    "learning_rate * dJ/dW", run.where, UPDATE_RULE, "values", error)


REPLAYS = {"unchanged": _replay_unchanged, "exact": _replay_exact, "recorded": _replay_recorded}


def _judge_updates(case, got, info, device):
    where = _where(case)
    We, history, found = _train_outputs("", got, info, case, where)
    if found:
        return found
    run = TrainRun(case, We, history, _initial("", got, case, case.seed), train_data(case), got, info, device,
                   where)
    return REPLAYS[case.replay](run)


def _judge_rng(case, got, info, device):
    """Runs a and b share a seed but not numpy's global state; run c has another seed."""
    where = _where(case)
    runs = {}
    for label in RNG_RUNS:
        sub = {k[2:]: value for k, value in info.items() if k.startswith(f"{label}:")}
        We, history, found = _train_outputs(f"{label}:", got, sub, case, where)
        if found:
            return found
        runs[label] = (We, history, sub)
    (Wa, ha, ia), (Wb, hb, _), (Wc, _, _) = (runs[label] for label in RNG_RUNS)
    if not (all(np.array_equal(Wa[k], Wb[k]) for k in KEYS) and np.array_equal(ha, hb)):
        return v.failed("train_autoencoder", "gave different results for the same rng when numpy's global random "
                        "state changed", where, TRAIN_GLOBAL_RANDOM, "values")
    if ia.get("n_init_calls", 0) == 0:
        return v.contract("train_autoencoder", "never called the given init_weights", where, START_FROM_INIT)
    if not ia.get("init_rng_is_given"):
        return v.contract("train_autoencoder", "did not pass its rng to init_weights", where, INIT_RNG)
    if ia.get("init_args") != [case.L_in, case.L_hid]:
        return v.contract("init_weights", f"was called with {ia.get('init_args')}, expected L_in={case.L_in}, "
                          f"L_hid={case.L_hid}", where, INIT_SIZES)
    first, _, other = RNG_RUNS
    batches_a = _training_calls(f"{first}:", got, case.N)
    batches_c = _training_calls(f"{other}:", got, case.N)
    if batches_a is None or batches_c is None:
        if all(np.array_equal(Wa[k], Wc[k]) for k in KEYS):
            return v.failed("train_autoencoder", "gave the same weights for different rng seeds", where,
                            SHUFFLE_IGNORES_RNG, "values")
        return None
    orders_a, found = _epochs_of(batches_a, case, where)
    if found:
        return found
    orders_c, found = _epochs_of(batches_c, case, where)
    if found:
        return found
    if all(np.array_equal(o, np.arange(case.N)) for o in orders_a):
        return v.failed("train_autoencoder", "does not shuffle the data", where, NO_SHUFFLE, "values")
    if any(np.array_equal(orders_a[0], o) for o in orders_a[1:]):
        return v.failed("Every epoch", "visits the samples in the same order", where, SHUFFLE_ONCE, "values")
    if all(np.array_equal(x, y) for x, y in zip(orders_a, orders_c)):
        return v.failed("The shuffle", "does not depend on rng", where, SHUFFLE_IGNORES_RNG, "values")
    return None


# ---------------------------------------------------------------------------------------------
# The units' judges
# ---------------------------------------------------------------------------------------------

class NumpyUnitJudge(UnitJudge):
    """One of this assignment's numpy functions: `checks` {aspect: check(case, arrays, info,
    device) -> Verdict or None}, run on every case of the unit's plan with the reference on the
    first grading device. Before them (and the framework's "not answered" and "raised"): a
    defined name that is not a function, and a result the contract rules out."""

    def __init__(self, checks, given_extra=None):
        super().__init__(given_extra=given_extra)
        self.checks = dict(checks)

    def judge_error(self, judging, case, device, got, info):
        if "not_function" in info:
            return v.contract(judging.name, f"is not a function (it is of type {info['not_function']})")
        if "broken" in info:
            return v.contract(judging.name, info["broken"], self.where(case, device))
        return super().judge_error(judging, case, device, got, info)

    def judge_case(self, judging, case, device, got, info):
        return self.checks[judging.aspect](case, got, info, reference_device(judging.devices))


JUDGES = judges_for(
    TABLE, PROBES,
    preprocess=NumpyUnitJudge({"values": _judge_preprocess_values, "input": _judge_preprocess_input}),
    init_weights=NumpyUnitJudge({"range": _judge_init_range, "rng": _judge_init_rng}),
    ae_cost=NumpyUnitJudge({"value": _judge_cost_value, "gradients": _judge_cost_gradients,
                            "consistency": _judge_cost_consistency}),
    train_autoencoder=NumpyUnitJudge({"updates": _judge_updates, "rng": _judge_rng}, given_extra=RECORDER),
)
