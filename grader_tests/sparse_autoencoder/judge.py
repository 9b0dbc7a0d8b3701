"""The judge of `sparse_autoencoder` (SPEC 4.2): recompute with `reference/` and compare.

Each check runs the student's answer cell alone in the given code's namespace. `train_autoencoder`
builds on `init_weights` and `ae_cost` (units.py): it gets the *reference* versions there (SPEC 3,
isolation), wrapped so that they record their calls while a probe runs; a bug in the student's
cost is never charged twice.

The probe half (probe.py) runs the student's code on the grader's inputs in the sandbox and
returns plain arrays; `judge_aspect` recomputes with `reference/` (the cost and preprocessing
through PyTorch float64, on CUDA when available) and returns None or a one- or two-sentence
message naming the likely bug (found by matching the student's numbers against known wrong
variants). The numpy-only rule is checked by the framework (rules.py).
"""
import inspect
import math

import numpy as np

from reference import sparse_autoencoder as ref
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.contract.numerics import (
    FD_TOLERANCE, FLOAT64, INIT_BOUND_SLACK, UNIFORM_MAX_FRACTION, UNIFORM_MEAN_FRACTION,
    UNIFORM_MIN_SAMPLES, UNIFORM_STD_RATIO, matches_variant, max_abs_error, std_ratio_uniform)
from grader_tests.sparse_autoencoder.probe import (
    KEYS, RNG_CASE, UNITS, ae_inputs, plan, preprocess_input, train_data)
from grader_tests.sparse_autoencoder.units import TABLE

GIVEN_HEADER = '''import math
import os
import time

import h5py
import numpy as np
import matplotlib
import matplotlib.pyplot as plt


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), written with tanh so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))
'''

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


def given_source(unit):
    """The namespace an answer cell runs in: the notebook's setup names, plus the reference
    versions of the units it builds on (units.py), wrapped to record their calls."""
    dependencies = TABLE.unit(unit).builds_on
    if not dependencies:
        return GIVEN_HEADER
    sources = [inspect.getsource(getattr(ref, name)) for d in dependencies
               for name in TABLE.unit(d).defines]
    return "\n\n".join([GIVEN_HEADER] + sources + [RECORDER])


def reference_device(devices):
    """The device the judge runs the PyTorch reference on: the first grading device."""
    return str(devices[0]) if devices else ref.default_device()


def _close(actual, expected, scale=None):
    err = max_abs_error(actual, expected)
    scale = float(np.max(np.abs(expected))) if scale is None and np.size(expected) else (scale or 0.0)
    return err <= FLOAT64["atol"] + FLOAT64["rtol"] * scale


def _unanswered(unit, info):
    if info.get("error", "").startswith("NotImplementedError"):
        return f"{UNITS[unit][0]} has not been answered yet (it raises NotImplementedError)."
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


WEIGHTS_HINT = ("Check the luminosity weights: Y = 0.2126 R + 0.7152 G + 0.0722 B with R, G, B "
                "the channels 0, 1, 2 of axis 1.")
PRE_VARIANTS = [
    (dict(weights=(1 / 3, 1 / 3, 1 / 3)), WEIGHTS_HINT),
    (dict(weights=ref.LUMA[::-1]), WEIGHTS_HINT),
    (dict(weights=(0.299, 0.587, 0.114)), WEIGHTS_HINT),
    (dict(weights=(0.02126, 0.7152, 0.0722)), WEIGHTS_HINT),
    (dict(center="none"), "Subtract each image's own mean (over its 16 x 16 pixels) before computing sigma."),
    (dict(center="batch"), "Subtract each image's own mean (over its 16 x 16 pixels), not the mean of the whole batch."),
    (dict(center="pixel"), "Subtract each image's own mean (over its 16 x 16 pixels), not each pixel's mean over the batch."),
    (dict(ddof=1), "sigma is numpy's default std (ddof = 0), not the sample std (ddof = 1)."),
    (dict(sigma="image"), "sigma is one number: the std of all mean-subtracted pixels of the whole batch, not one per image."),
    (dict(sigma_before=True), "Compute sigma after subtracting each image's mean."),
    (dict(k=2.0), "Clip at +-3 sigma, not +-2 sigma."),
    (dict(k=1.0), "Clip at +-3 sigma, not +-1 sigma."),
    (dict(clip=False), "Clip the values to [-3 sigma, 3 sigma] before mapping them."),
    (dict(mapping="minmax"), "Map the interval [-3 sigma, 3 sigma] linearly onto [0.1, 0.9], not the data's own minimum and maximum."),
    (dict(mapping="unit"), "The output range is [0.1, 0.9]: -3 sigma maps to 0.1 and +3 sigma to 0.9."),
]
PRE_GENERIC = ("Check each step: Y = 0.2126 R + 0.7152 G + 0.0722 B; subtract each image's mean; "
               "sigma = std of all mean-subtracted pixels of the batch; clip to +-3 sigma; map "
               "[-3 sigma, 3 sigma] onto [0.1, 0.9].")


def _diagnose_preprocess(x, got):
    for flags, hint in PRE_VARIANTS:
        variant = _pre_variant(x, **flags)
        if variant.shape == got.shape and np.isfinite(variant).all() and matches_variant(got, variant):
            return hint
    return PRE_GENERIC


def _judge_preprocess(aspect, case, arrays, info, device):
    where = f"for {case.describe()}"
    message = _unanswered("preprocess", info)
    if message:
        return message
    if "error" in info:
        return f"preprocess raised {info['error']} {where}. {case.hint}".strip()
    if aspect == "input":
        if info.get("modified_input"):
            return (f"Your preprocess modified its input in place ({where}): build new arrays "
                    "(y = y - mean, not data -= ...; no in-place edits of data or its channels).")
        if "out2" in arrays and "out" in arrays and not np.array_equal(arrays["out"], arrays["out2"]):
            return f"Calling preprocess twice on the same data gave different results ({where})."
        return None
    x = preprocess_input(case)
    expected = ref.preprocess_torch(x, device)
    got = arrays.get("out")
    if got is None or got.shape != expected.shape:
        shape = tuple(info.get("out_shape", ())) if got is not None else None
        return f"preprocess returned shape {shape}, expected {expected.shape} {where}. {case.hint}".strip()
    if info.get("out_dtype") != "float64":
        return f"preprocess returned {info.get('out_dtype')} values {where}: return float64."
    if not _close(got, expected):
        nan = " (it contains NaN)" if np.isnan(got).any() else ""
        return (f"preprocess output differs from the expected values {where} (max abs error "
                f"{max_abs_error(got, expected):.3g}){nan}. {case.hint or _diagnose_preprocess(x, got)}")
    return None


# ---------------------------------------------------------------------------------------------
# init_weights
# ---------------------------------------------------------------------------------------------

def _judge_init(aspect, case, arrays, info):
    message = _unanswered("init_weights", info)
    if message:
        return message
    if aspect == "rng":
        if "error" in info:
            return f"init_weights raised {info['error']} (L_in=64, L_hid=16)."
        if info.get("global_state_touched"):
            return ("init_weights changed numpy's global random state (np.random.seed, "
                    "np.random.uniform, ...): draw every value from the Generator rng it is given.")
        if not info.get("same_seed_equal"):
            return ("init_weights gave different weights for two generators with the same seed: "
                    "draw every value from rng (rng.uniform), nothing else.")
        if not info.get("other_seed_differs"):
            return ("init_weights gave the same weights for generators with different seeds: draw "
                    "from the rng argument, not from a generator of your own.")
        return None
    L_in, L_hid = case
    where = f"for init_weights({L_in}, {L_hid}, rng)"
    if "error" in info:
        return f"init_weights raised {info['error']} {where}."
    if "keys" not in info:
        return f"init_weights returned a {info.get('type')} {where}; return a dict with keys W1, b1, W2, b2."
    missing = [k for k in KEYS if k not in info["keys"]]
    if missing:
        return f"init_weights' dict has no {', '.join(missing)} {where} (keys must be W1, b1, W2, b2)."
    shapes = {"W1": (L_in, L_hid), "b1": (L_hid,), "W2": (L_hid, L_in), "b2": (L_in,)}
    r = math.sqrt(6.0 / (L_in + L_hid))
    for k in KEYS:
        w = arrays[k]
        if w.shape != shapes[k]:
            return f"{k} has shape {w.shape}, expected {shapes[k]} {where}."
        if info.get(f"dtype:{k}") != "float64":
            return f"{k} is {info.get(f'dtype:{k}')} {where}: use float64."
        top = float(np.abs(w).max())
        if top > r * (1 + INIT_BOUND_SLACK["float64"]):
            return (f"{k} has values up to {top:.3g} {where}, outside +-sqrt(6 / (L_pre + L_post)) = "
                    f"+-{r:.3g} (both layers connect L_in = {L_in} and L_hid = {L_hid} units).")
        low, high = UNIFORM_STD_RATIO
        if w.size >= UNIFORM_MIN_SAMPLES:
            if (top < UNIFORM_MAX_FRACTION * r or not low < std_ratio_uniform(w, r) < high
                    or abs(w.mean()) > UNIFORM_MEAN_FRACTION * r):
                return (f"{k} does not fill the range +-{r:.3g} like a uniform draw {where} (max "
                        f"|value| {top:.3g}, std {w.std():.3g}, expected {r / math.sqrt(3):.3g}): "
                        "draw each of W1, b1, W2, b2 uniformly in +-sqrt(6 / (L_pre + L_post)).")
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


J_VARIANTS = [
    (dict(recon="sum"), "J is off by a factor close to N in the reconstruction term: check the 1/(2N) average over the batch."),
    (dict(recon="N"), "The reconstruction term is 1/(2N) sum ||d - o||^2: the 1/2 is missing."),
    (dict(recon="all"), "Average the squared error over the N samples (1/(2N)), not over all N * L_in entries."),
    (dict(kl=-1.0), "The KL term has the wrong sign: J adds beta * sum_b KL(rho || rho_hat_b)."),
    (dict(kl=0.0), "J has no sparsity term: add beta * sum_b KL(rho || rho_hat_b)."),
    (dict(kl_form="qp"), "KL(rho || rho_hat) = rho log(rho / rho_hat) + (1 - rho) log((1 - rho) / (1 - rho_hat)); you compute KL(rho_hat || rho)."),
    (dict(rho_axis=1), "rho_hat_b is the mean activation of hidden unit b over the batch (axis 0), not a mean over the hidden units."),
    (dict(bias_reg=True), "The biases are not regularised: the weight decay is lambda/2 (sum W1^2 + sum W2^2) only."),
    (dict(lam_half=False), "The weight-decay term is lambda/2 (sum W1^2 + sum W2^2): the 1/2 is missing."),
    (dict(log=np.log10), "The KL divergence uses natural logarithms (np.log), not log10."),
    (dict(log=np.log2), "The KL divergence uses natural logarithms (np.log), not log2."),
]
J_GENERIC = ("Check the three terms: 1/(2N) sum ||d - o||^2, lambda/2 (sum W1^2 + sum W2^2) and "
             "beta sum_b KL(rho || rho_hat_b), with rho_hat the mean hidden activation over the batch.")

GRAD_VARIANTS = [
    (dict(hid_W="W1"), "check the hidden delta uses W2^T (delta_out @ W2.T), not W1."),
    (dict(out_deriv="twice"), "the output delta applies the sigmoid derivative to an activation: with o = sigmoid(a2), sigmoid'(a2) = o * (1 - o), not sigmoid(o) * (1 - sigmoid(o))."),
    (dict(hid_deriv="twice"), "the hidden delta applies the sigmoid derivative to an activation: with h = sigmoid(a1), sigmoid'(a1) = h * (1 - h), not sigmoid(h) * (1 - sigmoid(h))."),
    (dict(out_deriv="twice", hid_deriv="twice"), "the sigmoid derivative is applied to activations: with y = sigmoid(a), sigmoid'(a) = y * (1 - y), not sigmoid(y) * (1 - sigmoid(y))."),
    (dict(out_deriv="pre"), "the output delta uses a2 * (1 - a2) of the pre-activation; the sigmoid derivative is o * (1 - o) with o = sigmoid(a2)."),
    (dict(hid_deriv="pre"), "the hidden delta uses a1 * (1 - a1) of the pre-activation; the sigmoid derivative is h * (1 - h) with h = sigmoid(a1)."),
    (dict(kl_grad=0.0), "the sparsity term's gradient is missing from the hidden delta: add beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat)) before multiplying by h * (1 - h)."),
    (dict(kl_grad=-1.0), "the sparsity term's gradient has the wrong sign: it is + beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat))."),
    (dict(kl=-1.0, kl_grad=-1.0), "the KL term has the wrong sign: J adds beta * sum KL(rho || rho_hat_b), and so does its gradient."),
    (dict(kl_grad_N=False), "the sparsity gradient is N times too large: like the rest of the hidden delta it is averaged over the batch (divide by N)."),
    (dict(grad_N=False, kl_grad_N=False), "the gradients are not averaged over the batch: J has 1/(2N), so each gradient has 1/N (but not the weight-decay part)."),
    (dict(grad_N=False), "the reconstruction gradients are not averaged over the batch: divide them by N like J."),
    (dict(lam_grad="none"), "dW1 and dW2 lack the weight-decay gradient lambda * W."),
    (dict(lam_grad="W/N"), "the weight-decay gradient is lambda * W, not lambda * W / N."),
    (dict(bias_grad_reg=True), "the biases are not regularised: db1 and db2 have no lambda * b term."),
    (dict(bias_reg=True, bias_grad_reg=True), "the biases are not regularised: J has no lambda/2 sum b^2 and db no lambda * b."),
    (dict(sign=-1.0), "every gradient has the wrong sign: grads are dJ/dW (the update subtracts them)."),
    (dict(recon="sum", grad_N=False, kl_grad_N=False), "J and the gradients are off by a factor close to N: check the 1/(2N) average (and 1/N in the gradients)."),
]
GRAD_GENERIC = ("check delta_out = (o - d) * o * (1 - o) / N, delta_hid = (delta_out @ W2.T + "
                "beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat)) / N) * h * (1 - h), and the "
                "weight-decay terms lambda * W on W1 and W2 only.")


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


def _judge_ae_cost(aspect, case, arrays, info, device):
    where = f"for {case.describe()}"
    message = _unanswered("ae_cost", info)
    if message:
        return message
    if "error" in info:
        return f"ae_cost raised {info['error']} {where}. {case.hint}".strip()
    We, data = ae_inputs(case)
    params = case.params()
    J_ref, g_ref = ref.ae_cost_torch(We, data, params, device)
    J = float(arrays["J"])
    J_right = _close(J, J_ref, scale=abs(J_ref))
    if aspect == "value":
        if info.get("modified_inputs"):
            return (f"ae_cost modified its input(s) {', '.join(info['modified_inputs'])} in place "
                    f"{where}: compute new arrays.")
        if not J_right:
            hint = _diagnose_J(We, data, params, J)
            return f"J = {J:.8g} differs from the expected {J_ref:.8g} {where}. {hint}"
        return None
    if "grad_keys" not in info:
        return f"ae_cost returned grads as a {info.get('grads_type')}; return a dict with keys W1, b1, W2, b2."
    grads = {k: arrays[f"grad:{k}"] for k in KEYS if f"grad:{k}" in arrays}
    missing = [k for k in KEYS if k not in grads]
    if missing:
        return f"grads has no key(s) {', '.join(missing)} {where}: use the keys of We (W1, b1, W2, b2)."
    for k in KEYS:
        if grads[k].shape != g_ref[k].shape:
            return f"grads['{k}'] has shape {grads[k].shape}, expected {g_ref[k].shape} (the shape of We['{k}']) {where}."
    if aspect == "gradients":
        wrong = [k for k in KEYS if not _close(grads[k], g_ref[k])]
        if not wrong:
            return None
        k = wrong[0]
        state = "while J is right" if J_right else "and J is wrong too"
        hint = _diagnose_grads(We, data, params, grads)
        return (f"d{k} is wrong {state}: {hint} (Checked {where}: max abs error "
                f"{max_abs_error(grads[k], g_ref[k]):.3g}; wrong: {', '.join('d' + w for w in wrong)}.)")
    # consistency: the student's gradients against finite differences of the student's own J
    bad = []
    for k in KEYS:
        num = arrays.get(f"num:{k}")
        if num is None:
            return "The grader could not compute finite differences of your J."
        err = max_abs_error(grads[k], num)
        if not err <= FD_TOLERANCE * max(1.0, float(np.abs(num).max())):
            bad.append((k, err))
    if not bad:
        return None
    k, err = bad[0]
    if J_right:
        return (f"Your d{k} disagrees with finite differences of your own J {where} (max error "
                f"{err:.3g}), while J is right: {_diagnose_grads(We, data, params, grads)}")
    return (f"Your gradients ({', '.join('d' + q for q, _ in bad)}) disagree with finite differences "
            f"of your own J {where} (d{k}: max error {err:.3g}): J and grads compute different "
            "functions. Derive each gradient from the J you return.")


# ---------------------------------------------------------------------------------------------
# train_autoencoder
# ---------------------------------------------------------------------------------------------

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


def _train_outputs(prefix, arrays, info, case, where):
    """(We, history) from the probe, or a message."""
    if "error" in info:
        return None, None, f"train_autoencoder raised {info['error']} {where}."
    if "We_keys" not in info:
        return None, None, (f"train_autoencoder returned We as a {info.get('We_type')} {where}; "
                            "return (We, loss_history) with We a dict like init_weights'.")
    We = {k: arrays[f"{prefix}We:{k}"] for k in KEYS if f"{prefix}We:{k}" in arrays}
    shapes = {"W1": (case.L_in, case.L_hid), "b1": (case.L_hid,), "W2": (case.L_hid, case.L_in),
              "b2": (case.L_in,)}
    for k in KEYS:
        if k not in We or We[k].shape != shapes[k]:
            got = We[k].shape if k in We else "missing"
            return None, None, f"The returned We['{k}'] is {got}, expected shape {shapes[k]} {where}."
    history = arrays.get(f"{prefix}history")
    if history is None or history.ndim != 1 or history.shape[0] != case.epochs:
        length = info.get("history_len")
        return None, None, (f"loss_history has {length} entries {where}; it holds one J of the "
                            f"whole data per epoch ({case.epochs}).")
    if not np.isfinite(history).all():
        return None, None, f"loss_history contains NaN or inf {where}."
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


def _epochs_of(batches, n, batch_size, epochs):
    """Split the mini-batches into epochs; (list of epoch orders, message)."""
    per_epoch = -(-n // batch_size)
    if any((b < 0).any() for b in batches):
        return None, ("train_autoencoder passed ae_cost rows that are not rows of data: pass "
                      "data[batch_indices] (samples are rows).")
    if len(batches) != per_epoch * epochs:
        if len(batches) == (n // batch_size) * epochs:
            return None, (f"With N={n} and batch_size={batch_size} each epoch needs {per_epoch} "
                          "batches: the last, smaller batch is skipped. Every sample must be used once per epoch.")
        return None, (f"ae_cost was called on {len(batches)} mini-batches in {epochs} epochs; with "
                      f"N={n} and batch_size={batch_size} there are {per_epoch} per epoch (the last may be smaller).")
    orders = []
    for e in range(epochs):
        chunk = batches[e * per_epoch:(e + 1) * per_epoch]
        sizes = [len(b) for b in chunk]
        expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        order = np.concatenate(chunk)
        if sorted(order.tolist()) != list(range(n)):
            return None, (f"In epoch {e + 1} some samples were used twice and others not at all: "
                          "each epoch uses every sample exactly once (one permutation, cut into batches).")
        if sizes != expected:
            return None, (f"Epoch {e + 1} used batches of sizes {sizes}; expected {expected} "
                          "(batch_size rows each, the last batch smaller).")
        orders.append(order)
    return orders, None


def _judge_updates(case, arrays, info, device):
    where = f"for {case.describe()}"
    message = _unanswered("train_autoencoder", info)
    if message:
        return message
    We, history, message = _train_outputs("", arrays, info, case, where)
    if message:
        return message
    data = train_data(case)
    params = case.params()
    init = _initial("", arrays, case, case.seed)
    if case.name == "lr0":
        if not _weights_close(We, init):
            return ("With learning_rate 0 the returned weights differ from those init_weights(L_in, "
                    f"L_hid, rng) gave {where}: start from init_weights and return the trained weights.")
        if not _close(history, np.full(case.epochs, _J(init, data, params, device))):
            return (f"With learning_rate 0 loss_history should repeat J of the initial weights {where}: "
                    "record ae_cost's J of the whole data after each epoch.")
        return None
    n, bs = case.N, case.batch_size
    per_epoch = -(-n // bs)
    if case.name in ("full", "bigbatch", "same"):
        sizes = ([bs] * (n // bs) + ([n % bs] if n % bs else [])) if bs < n else [n]
        snapshots, current = [], init
        for _ in range(case.epochs):
            current = _gd(current, [data[:s] for s in sizes], params, case.lr, device)
            snapshots.append(current)
        if not _weights_close(We, snapshots[-1]):
            return _diagnose_update(case, We, init, data, params, device, where, sizes)
        return _judge_history(history, snapshots, init, data, params, device, where)
    batches = _training_calls("", arrays, n)
    if batches is None:
        if info.get("n_cost_calls", 0) == 0 and history[-1] >= _J(init, data, params, device):
            return f"The loss did not decrease {where}: take gradient steps W <- W - learning_rate * dJ/dW."
        return None    # no record (ae_cost defined in the cell): judged by the exact cases above
    orders, message = _epochs_of(batches, n, bs, case.epochs)
    if message:
        return f"{message} ({case.describe()})"
    snapshots, current = [], init
    for e in range(case.epochs):
        current = _gd(current, [data[b] for b in batches[e * per_epoch:(e + 1) * per_epoch]],
                      params, case.lr, device)
        snapshots.append(current)
    if not _weights_close(We, snapshots[-1]):
        return (f"The returned weights differ from gradient-descent steps W <- W - learning_rate * "
                f"dJ/dW on the mini-batches your code passed to ae_cost {where}: update every "
                "array with its gradient after each batch and return the final weights.")
    message = _judge_history(history, snapshots, init, data, params, device, where)
    if message:
        return message
    if case.name == "decrease" and not history[-1] < _J(init, data, params, device):
        return f"The loss did not decrease {where}."
    return None


def _judge_history(history, snapshots, init, data, params, device, where):
    after = np.array([_J(w, data, params, device) for w in snapshots])
    if _close(history, after, scale=float(np.abs(after).max())):
        return None
    before = np.array([_J(w, data, params, device) for w in [init] + snapshots[:-1]])
    if _close(history, before, scale=float(np.abs(before).max())):
        return (f"loss_history is recorded before each epoch's updates {where}: append J of the "
                "whole data after the epoch's last update (the last entry is J of the returned weights).")
    return (f"loss_history does not hold J of the whole data after each epoch {where} (last entry "
            f"{history[-1]:.6g}, J of the returned weights {after[-1]:.6g}): after each epoch append "
            "ae_cost(We, data, params)[0] for all the data, not a batch's or an average of batches' J.")


def _diagnose_update(case, We, init, data, params, device, where, sizes):
    n, bs = case.N, case.batch_size
    if _weights_close(We, init):
        if bs > n:
            return (f"No update happened {where}: with batch_size larger than N the only batch is "
                    "the whole data (the last batch may be smaller than batch_size).")
        return f"The returned weights are the initial ones {where}: apply the updates to the weights you return."
    steps = []
    for e in range(case.epochs):
        steps += sizes
    if case.name == "same":
        for k in range(0, 3 * len(steps) + 1):
            if k != len(steps) and _weights_close(We, _gd(init, [data[:1]] * k, params, case.lr, device)):
                if k == case.epochs * (n // bs):
                    return (f"With N={n} and batch_size={bs} each epoch needs {-(-n // bs)} updates, "
                            f"your code made {n // bs}: the last, smaller batch is skipped {where}.")
                return (f"Your code made {k} updates in {case.epochs} epochs {where}; expected "
                        f"{len(steps)} (one per mini-batch, the last may be smaller).")
    expected = _gd(init, [data[:s] for s in steps], params, case.lr, device)
    ascent = _gd(init, [data[:s] for s in steps], params, -case.lr, device)
    if _weights_close(We, ascent):
        return f"The weights move up the gradient {where}: the update is W <- W - learning_rate * dJ/dW."
    error = max(max_abs_error(We[k], expected[k]) for k in KEYS)
    return (f"The returned weights differ from {len(steps)} gradient-descent steps W <- W - "
            f"learning_rate * dJ/dW {where} (max abs error {error:.3g}): update W1, b1, W2 and b2 "
            "with their own gradients after every mini-batch.")


def _judge_rng(arrays, info, device):
    case = RNG_CASE
    where = f"for {case.describe()}"
    first = {k[2:]: v for k, v in info.items() if k.startswith("a:")}
    message = _unanswered("train_autoencoder", first)
    if message:
        return message
    runs = {}
    for label in "abc":
        sub = {k[2:]: v for k, v in info.items() if k.startswith(f"{label}:")}
        We, history, message = _train_outputs(f"{label}:", arrays, sub, case, where)
        if message:
            return message
        runs[label] = (We, history, sub)
    (Wa, ha, ia), (Wb, hb, _), (Wc, _, _) = runs["a"], runs["b"], runs["c"]
    if not (all(np.array_equal(Wa[k], Wb[k]) for k in KEYS) and np.array_equal(ha, hb)):
        return ("train_autoencoder gave different results for the same rng when numpy's global "
                "random state changed: draw the shuffles from rng (e.g. rng.permutation(N)), not np.random.")
    if ia.get("n_init_calls", 0) == 0:
        return ("train_autoencoder must start from init_weights(L_in, L_hid, rng): the given "
                "init_weights was never called.")
    if not ia.get("init_rng_is_given"):
        return "Pass the rng that train_autoencoder receives to init_weights(L_in, L_hid, rng)."
    if ia.get("init_args") != [case.L_in, case.L_hid]:
        return (f"init_weights was called with {ia.get('init_args')}, expected L_in={case.L_in}, "
                f"L_hid={case.L_hid} (from the data's width and params['L_hid']).")
    n = case.N
    batches_a = _training_calls("a:", arrays, n)
    batches_c = _training_calls("c:", arrays, n)
    if batches_a is None or batches_c is None:
        if all(np.array_equal(Wa[k], Wc[k]) for k in KEYS):
            return "train_autoencoder gave the same weights for different rng seeds: use rng."
        return None
    orders_a, message = _epochs_of(batches_a, n, case.batch_size, case.epochs)
    if message:
        return f"{message} ({case.describe()})"
    orders_c, message = _epochs_of(batches_c, n, case.batch_size, case.epochs)
    if message:
        return f"{message} ({case.describe()})"
    if all(np.array_equal(o, np.arange(n)) for o in orders_a):
        return "The data are not shuffled: draw a fresh permutation from rng at the start of every epoch."
    if any(np.array_equal(orders_a[0], o) for o in orders_a[1:]):
        return ("Every epoch visits the samples in the same order: draw a fresh permutation from rng "
                "at the start of each epoch.")
    if all(np.array_equal(x, y) for x, y in zip(orders_a, orders_c)):
        return ("The shuffle does not depend on rng (a fixed seed or a generator of your own?): "
                "draw the permutations from the rng argument.")
    return None


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------

def judge(unit, aspect, case, arrays, info, device):
    """None if the probe's data agrees with the reference on `case`, else the message."""
    if unit == "preprocess":
        return _judge_preprocess(aspect, case, arrays, info, device)
    if unit == "init_weights":
        return _judge_init(aspect, case, arrays, info)
    if unit == "ae_cost":
        return _judge_ae_cost(aspect, case, arrays, info, device)
    if aspect == "updates":
        return _judge_updates(case, arrays, info, device)
    return _judge_rng(arrays, info, device)


def judge_aspect(unit, aspect, infos, arrays, devices, source=None):
    """The message for one hidden test (None: passed) from the probes' plain data."""
    cases = plan(unit, aspect)
    if len(infos) < len(cases):
        return "The grader could not run every check on your code (it stopped early)."
    device = reference_device(devices)
    for k, case in enumerate(cases):
        got = harness.case_arrays(arrays, aspect, k)
        message = judge(unit, aspect, case, got, infos[k], device)
        if message:
            return message
    return None
