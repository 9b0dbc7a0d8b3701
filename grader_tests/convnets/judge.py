"""The judge of `convnets` (SPEC 4.3): recompute with `reference/` and compare.

The forward/backward pairs and the nn.Module units are judged by the framework's generic kinds
(grader_tests/framework/sandboxed/kinds.py) with the reference and the known wrong variants below, each
naming its likely bug; batchnorm's running statistics, the numpy ThreeLayerConvNet, the
barebones PyTorch function, its initialisation, the layers' initialisation and the challenge
(challenge.py) have their own judges here. `three_layer_convnet_numpy` runs with the reference
conv and pool layers in its namespace (units.py: builds_on), so a bug there is never charged twice.
"""
import inspect
import math

import numpy as np
import torch
import torch.nn.functional as F

from handouts import cnn_helpers
from reference import convnets as ref
from grader_tests.framework.judging import kinds
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.contract.numerics import (
    FD_TOLERANCE, NORMAL_KURTOSIS_MIN_SAMPLES, NORMAL_KURTOSIS_THRESHOLD, close, kurtosis,
    max_abs_error, normal_std_band)
from grader_tests.convnets import challenge
from grader_tests.convnets import probe as P
from grader_tests.convnets.units import TABLE

HANDOUT_LOADER = harness.handout_loader(cnn_helpers)
NUMPY_HEADER = "import math\nimport numpy as np\n"
TORCH_HEADER = """import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
dtype = torch.float32
"""


def given_source(unit):
    """The namespace an answer cell runs in: the notebook's imports and the course's copy of the
    handout (cnn_helpers), plus the reference versions of the units it builds on."""
    row = TABLE.unit(unit)
    header = TORCH_HEADER if row.notebook == "convnets_pytorch.ipynb" else NUMPY_HEADER
    sources = [header, HANDOUT_LOADER]
    if row.builds_on:
        sources.append(inspect.getsource(ref.conv_output_size))
        sources += [inspect.getsource(getattr(ref, name)) for d in row.builds_on for name in TABLE.unit(d).defines]
    return "\n\n".join(sources)


def grader_inputs(unit):
    """Files only the grader holds, handed to the sandbox: the challenge's held-out images."""
    if unit != "challenge":
        return {}
    images, _ = challenge.heldout()
    return {P.HELDOUT: images} if images is not None else {}


# ---------------------------------------------------------------------------------------------
# Known wrong variants of the pairs (inputs, extras[, dout]) -> output or {name: gradient}
# ---------------------------------------------------------------------------------------------

def _conv(i, e, w=None, b=True):
    weights = i["w"] if w is None else w
    return ref.conv_forward_naive(i["x"], weights, i["b"] if b else np.zeros_like(i["b"]), e[0])[0]


def _conv_no_stride_windows(i, e):
    """Output size right, but windows start at i, j instead of i * stride, j * stride."""
    cp = e[0]
    x = np.pad(i["x"], ((0, 0), (0, 0), (cp["pad"],) * 2, (cp["pad"],) * 2))
    out = _conv(i, e)
    HH, WW = i["w"].shape[2:]
    for r in range(out.shape[2]):
        for c in range(out.shape[3]):
            out[:, :, r, c] = np.tensordot(x[:, :, r:r + HH, c:c + WW], i["w"], axes=([1, 2, 3], [1, 2, 3])) + i["b"]
    return out


def _conv_dw(i, e, d):
    _, cache = ref.conv_forward_naive(i["x"], i["w"], i["b"], e[0])
    return ref.conv_backward_naive(d, cache)[1]


CONV_VARIANTS = [
    ("out", lambda i, e: _conv(i, e, w=i["w"][:, :, ::-1, ::-1]),
     "You flipped the kernel: the layer computes a cross-correlation, sum(window * w), with no flip."),
    ("out", lambda i, e: _conv(i, e, b=False), "The bias is missing: add b[f] to every output of filter f."),
    ("out", _conv_no_stride_windows, "The windows must start at (i * stride, j * stride)."),
    ("grads", lambda i, e, d: {"b": d.mean(axis=(0, 2, 3))}, "db sums dout over N, H' and W' (not the mean)."),
    ("grads", lambda i, e, d: {"b": d.sum(axis=0).ravel()[:d.shape[1]]},
     "db sums dout over N, H' and W' (axes 0, 2, 3)."),
    ("grads", lambda i, e, d: {"w": _conv_dw(i, e, d)[:, :, ::-1, ::-1]},
     "dw is flipped: dw[f] accumulates dout[n, f, i, j] * the input window, unflipped."),
]


def _pool_windows(x, pp):
    ph, pw, s = pp["pool_height"], pp["pool_width"], pp["stride"]
    Ho, Wo = 1 + (x.shape[2] - ph) // s, 1 + (x.shape[3] - pw) // s
    for r in range(Ho):
        for c in range(Wo):
            yield r, c, (slice(r * s, r * s + ph), slice(c * s, c * s + pw))


def _pool_avg(i, e):
    x, pp = i["x"], e[0]
    out, _ = ref.max_pool_forward_naive(x, pp)
    for r, c, (rows, cols) in _pool_windows(x, pp):
        out[:, :, r, c] = x[:, :, rows, cols].mean(axis=(2, 3))
    return out


def _pool_swapped(i, e):
    pp = dict(e[0])
    pp["pool_height"], pp["pool_width"] = pp["pool_width"], pp["pool_height"]
    return ref.max_pool_forward_naive(i["x"], pp)[0]


def _pool_grad(i, e, d, how):
    x, pp = i["x"], e[0]
    dx = np.zeros_like(x)
    for r, c, (rows, cols) in _pool_windows(x, pp):
        window = x[:, :, rows, cols]
        g = d[:, :, r, c][:, :, None, None]
        if how == "all":
            dx[:, :, rows, cols] += g * np.ones_like(window)
        elif how == "mean":
            dx[:, :, rows, cols] += g * np.ones_like(window) / window[0, 0].size
        elif how == "assign":
            mask = window == window.max(axis=(2, 3), keepdims=True)
            dx[:, :, rows, cols] = np.where(mask, g, dx[:, :, rows, cols])
    return {"x": dx}


POOL_VARIANTS = [
    ("out", _pool_avg, "You average each window; max pooling takes its maximum."),
    ("out", _pool_swapped, "pool_height applies to H (axis 2) and pool_width to W (axis 3)."),
    ("grads", lambda i, e, d: _pool_grad(i, e, d, "all"),
     "The gradient goes to every element of the window; it belongs to the window's maximum only."),
    ("grads", lambda i, e, d: _pool_grad(i, e, d, "mean"),
     "The gradient is spread evenly over the window (average pooling); it belongs to the maximum only."),
    ("grads", lambda i, e, d: _pool_grad(i, e, d, "assign"),
     "Overlapping windows overwrite each other's gradient: accumulate with += ."),
]


def _bn(i, e, **how):
    x, gamma, beta = i["x"], i["gamma"], i["beta"]
    param = e[0]
    C = x.shape[1]
    eps = param.get("eps", 1e-5)
    if param["mode"] == "test" and not how.get("batch_stats"):
        mean, var = param["running_mean"], param["running_var"]
    else:
        axes = how.get("axes", (0, 2, 3))
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True, ddof=how.get("ddof", 0))
    if np.ndim(mean) == 1:   # running statistics, of shape (C,)
        mean, var = mean.reshape(1, C, 1, 1), var.reshape(1, C, 1, 1)
    eps = how.get("eps", eps)
    xhat = (x - mean) / (np.sqrt(var) + eps if how.get("eps_outside") else np.sqrt(var + eps))
    return gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1)


BN_VARIANTS = [
    ("out", lambda i, e: _bn(i, e, ddof=1), "Use the biased variance (ddof=0, numpy's default), not ddof=1."),
    ("out", lambda i, e: _bn(i, e, eps_outside=True), "eps goes inside the square root: sqrt(var + eps)."),
    ("out", lambda i, e: _bn(i, e, axes=(0,)), "The statistics of a channel are taken over N, H and W "
     "together (axes 0, 2, 3), not per pixel."),
    ("out", lambda i, e: _bn(i, e, axes=(2, 3)), "That normalises each image on its own (instance "
     "normalisation): batch statistics pool N, H and W (axes 0, 2, 3)."),
    ("out", lambda i, e: _bn(i, e, batch_stats=True), "In test mode, normalise with bn_param's running "
     "mean and variance, not the batch's statistics."),
    ("out", lambda i, e: _bn(i, e, eps=1e-5), "Read eps from bn_param (default 1e-5 only when absent)."),
]


def _gn(i, e, how=None):
    x, gamma, beta = i["x"], i["gamma"], i["beta"]
    G, param = e[0], e[1]
    eps = param.get("eps", 1e-5)
    N, C, H, W = x.shape
    if how == "interleaved":    # channel c in group c % G
        xs = x.reshape(N, C // G, G, H, W)
        axes = (1, 3, 4)
    elif how == "per_channel":
        xs, axes = x.reshape(N, C, 1, H, W), (2, 3, 4)
    else:
        xs, axes = x.reshape(N, G, C // G, H, W), (2, 3, 4)
    ddof = 1 if how == "unbiased" else 0
    xhat = (xs - xs.mean(axis=axes, keepdims=True)) / np.sqrt(xs.var(axis=axes, keepdims=True, ddof=ddof) + eps)
    return gamma * xhat.reshape(N, C, H, W) + beta


GN_VARIANTS = [
    ("out", lambda i, e: _gn(i, e, "interleaved"), "Groups are contiguous blocks of C // G channels "
     "(reshape to (N, G, C // G, H, W)), not every G-th channel."),
    ("out", lambda i, e: _gn(i, e, "per_channel"), "Each group holds C // G channels: normalise over "
     "the whole group and both spatial axes, not per channel."),
    ("out", lambda i, e: _gn(i, e, "unbiased"), "Use the biased variance (ddof=0), not ddof=1."),
]

PAIR_VARIANTS = {"conv_naive": CONV_VARIANTS, "max_pool_naive": POOL_VARIANTS,
                 "spatial_batchnorm": BN_VARIANTS, "spatial_groupnorm": GN_VARIANTS}
PAIR_REFERENCE = {
    "conv_naive": (ref.conv_forward_naive, ref.conv_backward_naive),
    "max_pool_naive": (ref.max_pool_forward_naive, ref.max_pool_backward_naive),
    "spatial_batchnorm": (ref.spatial_batchnorm_forward, ref.spatial_batchnorm_backward),
    "spatial_groupnorm": (ref.spatial_groupnorm_forward, ref.spatial_groupnorm_backward),
}
PAIR_HINT = {
    "conv_naive": "Check the zero padding (H and W only), the window at (i * stride, j * stride), "
                  "sum(window * w[f]) + b[f], with no kernel flip.",
    "max_pool_naive": "Check the window at (i * stride, j * stride), pool_height on H and "
                      "pool_width on W, and that only each window's maximum gets its gradient.",
    "spatial_batchnorm": "Check per-channel statistics over N, H and W (biased variance), "
                         "sqrt(var + eps), and gamma, beta per channel.",
    "spatial_groupnorm": "Check the groups (contiguous blocks of C // G channels), statistics per "
                         "sample and group over the group's channels and H, W, and sqrt(var + eps).",
}


# ---------------------------------------------------------------------------------------------
# Batchnorm's running statistics
# ---------------------------------------------------------------------------------------------

def _expected_running(shape, bn_param, seed, ddof=0, reverse=False):
    xs, gamma, beta = P.bn_running_arrays(shape, seed)
    C = shape[1]
    m = bn_param.get("momentum", 0.9)
    mean = np.array(bn_param.get("running_mean", np.zeros(C)), dtype=np.float64)
    var = np.array(bn_param.get("running_var", np.zeros(C)), dtype=np.float64)
    steps = []
    for call in range(P.BN_RUNNING_CALLS):
        bm, bv = xs[call].mean(axis=(0, 2, 3)), xs[call].var(axis=(0, 2, 3), ddof=ddof)
        if reverse:
            mean, var = (1 - m) * mean + m * bm, (1 - m) * var + m * bv
        else:
            mean, var = m * mean + (1 - m) * bm, m * var + (1 - m) * bv
        steps.append((mean.copy(), var.copy()))
    param = {"mode": "test", "eps": bn_param.get("eps", 1e-5), "running_mean": mean, "running_var": var}
    test_out = ref.spatial_batchnorm_forward(xs[-1], gamma, beta, param)[0]
    return steps, test_out


def judge_running(infos, arrays):
    if len(infos) < len(P.BN_RUNNING):
        return "The grader could not run every check on your code (it stopped early)."
    for k, (shape, bn_param, seed) in enumerate(P.BN_RUNNING):
        info, got = infos[k], harness.case_arrays(arrays, "running", k)
        given = {key: v for key, v in bn_param.items() if key in ("mode", "momentum")}
        where = (f"after {P.BN_RUNNING_CALLS} train-mode calls on x of shape {shape} with bn_param "
                 f"{given}{' and given running statistics' if 'running_mean' in bn_param else ''}")
        if info.get("error") == "NotImplementedError":
            return "spatial_batchnorm_forward has not been answered yet (it raises NotImplementedError)."
        if "error" in info:
            return f"spatial_batchnorm_forward raised {info['error']} {where}."
        steps, test_out = _expected_running(shape, bn_param, seed)
        for call, (mean, var) in enumerate(steps):
            for key, expected in (("running_mean", mean), ("running_var", var)):
                mine = got.get(f"{key}:{call}")
                if mine is None:
                    return (f"bn_param has no '{key}' after a train-mode call ({where}): write the "
                            "running statistics back into bn_param.")
                if not close(mine, expected, "float64"):
                    hint = "running = momentum * running + (1 - momentum) * batch statistic."
                    rev, _ = _expected_running(shape, bn_param, seed, reverse=True)
                    unb, _ = _expected_running(shape, bn_param, seed, ddof=1)
                    if close(mine, rev[call][0 if key == "running_mean" else 1], "float64"):
                        hint = ("The momentum is reversed: running = momentum * running + "
                                "(1 - momentum) * batch statistic.")
                    elif key == "running_var" and close(mine, unb[call][1], "float64"):
                        hint = "The running variance uses the biased batch variance (ddof=0)."
                    return (f"bn_param['{key}'] differs from the expected value {where} (call "
                            f"{call + 1}, max abs error {max_abs_error(mine, expected):.3g}). {hint}")
        mine = got.get("test_out")
        if mine is None or not close(mine, test_out, "float64"):
            return (f"The test-mode output that follows differs from the expected one {where}: in "
                    "test mode normalise with the running mean and variance of bn_param.")
    return None


# ---------------------------------------------------------------------------------------------
# The numpy ThreeLayerConvNet
# ---------------------------------------------------------------------------------------------

def _net_shapes(kwargs):
    d = dict(input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100, num_classes=10)
    d.update({k: v for k, v in kwargs.items() if k in d})
    C, H, W = d["input_dim"]
    F_, k = d["num_filters"], d["filter_size"]
    return {"W1": (F_, C, k, k), "b1": (F_,), "W2": (F_ * (H // 2) * (W // 2), d["hidden_dim"]),
            "b2": (d["hidden_dim"],), "W3": (d["hidden_dim"], d["num_classes"]), "b3": (d["num_classes"],)}


def judge_net(aspect, infos, arrays):
    cases = P.NET_STRUCTURE if aspect == "structure" else P.NET_CASES
    if len(infos) < len(cases):
        return "The grader could not run every check on your code (it stopped early)."
    for k, case in enumerate(cases):
        info, got = infos[k], harness.case_arrays(arrays, aspect, k)
        kwargs = case[0]
        where = f"for ThreeLayerConvNet({', '.join(f'{a}={b!r}' for a, b in kwargs.items())})".replace(
            "<class 'numpy.float64'>", "np.float64")
        if info.get("error") == "NotImplementedError":
            return "ThreeLayerConvNet has not been answered yet (it raises NotImplementedError)."
        if "error" in info:
            hint = (" With 'same' padding (pad = (filter_size - 1) // 2, stride 1) and a 2x2 pool, W2 has "
                    "num_filters * H/2 * W/2 rows.")
            return f"ThreeLayerConvNet raised {info['error']} {where}.{hint}"
        if aspect == "structure":
            message = _judge_net_structure(kwargs, info, got, where)
        else:
            message = _judge_net_values(aspect, case, got, where)
        if message:
            return message
    return None


def _judge_net_structure(kwargs, info, got, where):
    shapes = _net_shapes(kwargs)
    missing = [k for k in P.NET_KEYS if k not in info.get("keys", [])]
    if missing:
        return f"self.params lacks {', '.join(missing)} {where}: keep the names W1 b1 W2 b2 W3 b3."
    dtype = np.dtype(kwargs.get("dtype", np.float32)).name
    scale = kwargs.get("weight_scale", 1e-3)
    for name, shape in shapes.items():
        value = got[name]
        if value.shape != shape:
            return f"self.params['{name}'] has shape {value.shape}, expected {shape} {where}."
        if info.get(f"dtype:{name}") != dtype:
            return (f"self.params['{name}'] is {info.get(f'dtype:{name}')}, expected {dtype} {where}: "
                    "cast every parameter with .astype(dtype).")
        if name.startswith("b"):
            if np.any(value != 0):
                return f"self.params['{name}'] must start at zero {where}."
            continue
        low, high = normal_std_band(value.size)
        ratio = value.std() / scale
        if not low < ratio < high or abs(value.mean()) > 5 * scale / math.sqrt(value.size):
            return (f"self.params['{name}'] has mean {value.mean():.3g} and std {value.std():.3g} "
                    f"{where}; weights are normal with mean 0 and std weight_scale = {scale:g}.")
    return None


def _judge_net_values(aspect, case, got, where):
    kwargs, N, seed, hint = case
    params, X, y, entries = P.net_inputs(case)
    model = ref.ThreeLayerConvNet(**{**kwargs, "dtype": np.float64})
    model.params = {k: v.copy() for k, v in params.items()}
    scores = model.loss(X)
    loss, grads = model.loss(X, y)
    where = f"{where} on a batch of {N} with the grader's parameters"
    mine = got.get("scores")
    if mine is None or mine.shape != scores.shape:
        return (f"loss(X) returned scores of shape {None if mine is None else mine.shape}, expected "
                f"{scores.shape} {where}.")
    if not close(mine, scores, "float64"):
        return (f"The scores differ from the expected ones {where} (max abs error "
                f"{max_abs_error(mine, scores):.3g}). Check the order conv - relu - 2x2 max pool - "
                "affine - relu - affine, with 'same' padding (filter_size - 1) // 2.")
    if not close(got.get("loss", np.nan), loss, "float64"):
        no_reg = loss - 0.5 * kwargs.get("reg", 0.0) * sum(np.sum(params[k] ** 2) for k in ("W1", "W2", "W3"))
        extra = ""
        if kwargs.get("reg") and close(got["loss"], no_reg, "float64"):
            extra = " The L2 term 0.5 * reg * sum(W**2) over W1, W2 and W3 is missing."
        elif kwargs.get("reg") and close(got["loss"], 2 * loss - no_reg, "float64"):
            extra = " The L2 term is twice too big: 0.5 * reg * sum(W**2)."
        return (f"The loss is {float(got['loss']):.6g}, expected {loss:.6g} {where}.{extra or ' ' + hint}".rstrip())
    if aspect != "backward":
        return None
    for name in P.NET_KEYS:
        mine, expected = got.get(f"grad:{name}"), grads[name]
        if mine is None or mine.shape != expected.shape:
            return (f"grads['{name}'] has shape {None if mine is None else mine.shape}, expected "
                    f"{expected.shape} {where}.")
        if not close(mine, expected, "float64"):
            extra = hint
            if name.startswith("W") and kwargs.get("reg") and close(mine, expected - kwargs["reg"] * params[name], "float64"):
                extra = f"The regularisation gradient reg * {name} is missing."
            return (f"grads['{name}'] differs from the expected gradient {where} (max abs error "
                    f"{max_abs_error(mine, expected):.3g}). {extra}").strip()
        num = got.get(f"num:{name}")
        picked = np.array([mine[idx] for idx in entries[name]])
        if num is None or max_abs_error(picked, num) > FD_TOLERANCE * max(1.0, float(np.abs(num).max())):
            return (f"grads['{name}'] disagrees with finite differences of your own loss {where}: loss "
                    "and gradients compute different functions.")
    return None


# ---------------------------------------------------------------------------------------------
# PyTorch: the barebones function, its initialisation, the layers' initialisation
# ---------------------------------------------------------------------------------------------

def _fn_variant_nhwc(x, params):
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    h = F.relu(F.conv2d(F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2)), conv_w2, conv_b2, padding=1))
    return h.permute(0, 2, 3, 1).reshape(x.shape[0], -1) @ fc_w + fc_b


def _fn_variant_no_relu2(x, params):
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    h = F.conv2d(F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2)), conv_w2, conv_b2, padding=1)
    return h.flatten(1) @ fc_w + fc_b


def _fn_variant_relu_out(x, params):
    return F.relu(ref.three_layer_convnet(x, params))


FN_VARIANTS = [
    (lambda x, params: F.softmax(ref.three_layer_convnet(x, params), dim=1),
     "Return the raw scores: no softmax (the loss applies it)."),
    (_fn_variant_nhwc, "Flatten each (C, H, W) feature map in that order (x.flatten(1)); do not "
                       "move the channels last."),
    (_fn_variant_no_relu2, "A ReLU follows each of the two convolutions."),
    (_fn_variant_relu_out, "The scores are the fully connected layer's output, with no ReLU after it."),
]
FN_ERROR_HINT = ("Check the paddings (2 for the 5x5 convolution, 1 for the 3x3: both keep H and W) "
                 "and flatten each image to one row (x.flatten(1)) before x @ fc_w + fc_b.")


def judge_fn(aspect, infos, arrays, devices):
    pairs = P.fn_plan(aspect, devices)
    if len(infos) < len(pairs):
        return "The grader could not run every check on your code (it stopped early)."
    for k, (case, device) in enumerate(pairs):
        info, got = infos[k], harness.case_arrays(arrays, aspect, k)
        N, C, H, W, c1, c2, K, dtype, seed, hint = case
        where = (f"for x of shape ({N}, {C}, {H}, {W}), channel_1 {c1}, channel_2 {c2}, {K} classes, "
                 f"{dtype} on {device}")
        if info.get("error") == "NotImplementedError":
            return "three_layer_convnet has not been answered yet (it raises NotImplementedError)."
        if device == "meta":
            if "error" in info or str(got.get("out_device")) != "meta":
                return ("three_layer_convnet creates a tensor on a fixed device: with the input on a "
                        "non-CPU device it raised or returned CPU scores. Create new tensors on the "
                        "input's device (x.new_zeros(...), torch.zeros(..., device=x.device)); this "
                        "is what breaks on a GPU.")
            continue
        if "error" in info:
            dtype_bug = "type" in info["error"] and ("Double" in info["error"] or "double" in info["error"])
            advice = ("Keep the input's dtype: do not cast to float32 or create tensors of another dtype."
                      if dtype_bug else hint or FN_ERROR_HINT)
            return f"three_layer_convnet raised {info['error']} {where}. {advice}"
        expected = P.drive_fn(ref.three_layer_convnet, case, torch.device(device), aspect == "backward")
        if str(got.get("out_dtype")) != dtype or str(got.get("out_device")) != torch.device(device).type:
            return (f"The scores are {got.get('out_dtype')} on {got.get('out_device')} {where}: keep the "
                    "input's dtype and device.")
        keys = ["out"] + ([k for k in expected if k.startswith("grad:")] if aspect == "backward" else [])
        for key in keys:
            mine = got.get(key)
            what = "the scores" if key == "out" else key.replace("grad:", "the gradient of ")
            if mine is None and key != "out":
                return (f"No gradient reached {key[len('grad:'):]} {where}: the scores must stay connected "
                        "to it in the autograd graph (no .data, .detach() or numpy round trips).")
            if mine is None or mine.shape != expected[key].shape:
                return (f"{what} {'are missing' if mine is None else f'have shape {mine.shape}'} {where}, "
                        f"expected shape {expected[key].shape}. {hint}").strip()
            if not close(mine, expected[key], dtype):
                named = None
                for variant, variant_hint in FN_VARIANTS:
                    try:
                        other = P.drive_fn(variant, case, torch.device(device), aspect == "backward")
                    except RuntimeError:
                        continue
                    if key in other and close(mine, other[key], dtype):
                        named = variant_hint
                        break
                return (f"{what} differ{'s' if key != 'out' else ''} from the expected value {where} "
                        f"(max abs error {max_abs_error(mine, expected[key]):.3g}). "
                        f"{named or hint or FN_ERROR_HINT}").strip()
    return None


def _judge_kaiming(label, value, fan_in):
    expected = math.sqrt(2.0 / fan_in)
    low, high = normal_std_band(value.size)
    std, mean = float(value.std()), float(value.mean())
    if not low < std / expected < high or abs(mean) > 5 * expected / math.sqrt(value.size):
        return (f"{label} has mean {mean:.3g} and std {std:.3g}; Kaiming-normal weights have mean 0 and "
                f"std sqrt(2 / fan_in) = {expected:.3g} (fan_in = {fan_in}).")
    if value.size >= NORMAL_KURTOSIS_MIN_SAMPLES and kurtosis(value) < NORMAL_KURTOSIS_THRESHOLD:
        return f"{label} looks uniformly distributed; Kaiming-normal weights are normal (randn * std)."
    return None


def judge_init(infos, arrays):
    if len(infos) < len(P.INIT_CASES):
        return "The grader could not run every check on your code (it stopped early)."
    for k, (c1, c2, K, C, H, W, seed) in enumerate(P.INIT_CASES):
        info, got = infos[k], harness.case_arrays(arrays, "structure", k)
        where = (f"for init_convnet_params({c1}, {c2}, {K}, in_channels={C}, height={H}, width={W})")
        if info.get("error") == "NotImplementedError":
            return "init_convnet_params has not been answered yet (it raises NotImplementedError)."
        if "error" in info:
            return f"init_convnet_params raised {info['error']} {where}."
        if info.get("count") != 6:
            return f"init_convnet_params returned {info.get('count')} items {where}; expected 6 tensors."
        shapes = [(c1, C, 5, 5), (c1,), (c2, c1, 3, 3), (c2,), (c2 * H * W, K), (K,)]
        fans = [C * 25, None, c1 * 9, None, c2 * H * W, None]
        for j, (name, shape, fan_in) in enumerate(zip(P.PARAM_NAMES, shapes, fans)):
            if f"type:{j}" in info:
                return f"{name} is a {info[f'type:{j}']}, not a tensor {where}."
            value = got[f"p{j}"]
            if value.shape != shape:
                return f"{name} has shape {value.shape}, expected {shape} {where}."
            if info.get(f"dtype:{j}") != "float32":
                return f"{name} is {info.get(f'dtype:{j}')} {where}; use the given random_weight / zero_weight (float32)."
            if not info.get(f"requires_grad:{j}") or not info.get(f"leaf:{j}"):
                return (f"{name} {'does not require gradients' if not info.get(f'requires_grad:{j}') else 'is not a leaf tensor'} "
                        f"{where}: the optimiser updates leaf tensors with requires_grad=True (as "
                        "random_weight and zero_weight return them; do not scale them afterwards).")
            if fan_in is None:
                if np.any(value != 0):
                    return f"{name} must be zeros (zero_weight) {where}."
                continue
            message = _judge_kaiming(name, value, fan_in)
            if message:
                return f"{message[:-1]} {where}."
    return None


def judge_structure(unit, infos, arrays):
    info, got = infos[0], harness.case_arrays(arrays, "structure", 0)
    args = P.STRUCTURE_ARGS[unit]
    name = P.UNITS[unit][0]
    where = f"for {name}{args}"
    if info.get("error") == "NotImplementedError":
        return f"{name} has not been answered yet (it raises NotImplementedError)."
    if "error" in info:
        return f"{name} raised {info['error']} {where}."
    if not info.get("is_module"):
        return f"{name}{args} built a {info.get('type')}, not an nn.Module."
    if unit == "convnet_sequential" and not info.get("is_sequential"):
        return f"build_sequential_convnet{args} returned a {info.get('type')}; build an nn.Sequential."
    if unit == "convnet_module":
        for child in ("conv1", "conv2", "fc"):
            if child not in info.get("children", {}):
                return f"{name} has no submodule self.{child}, which the contract names {where}."
        layers = {n: info[f"layer:{n}"] for n in ("conv1", "conv2", "fc") if f"layer:{n}" in info}
    else:
        layers = {key[len("layer:"):]: v for key, v in info.items() if key.startswith("layer:")}
    ordered = list(layers.items())
    kinds_seen = [v["kind"] for _, v in ordered]
    if kinds_seen != ["Conv2d", "Conv2d", "Linear"]:
        return f"{name}{args} has the layers {kinds_seen}; the contract has Conv2d, Conv2d, Linear."
    (n1, l1), (n2, l2), (n3, l3) = ordered
    for label, layer, kernel, pad in ((n1, l1, 5, 2), (n2, l2, 3, 1)):
        if layer["kernel"] != [kernel, kernel] or layer["padding"] != [pad, pad] or layer["stride"] != [1, 1]:
            return (f"Layer {label} has kernel {layer['kernel']}, padding {layer['padding']}, stride "
                    f"{layer['stride']}; expected a {kernel}x{kernel} kernel with padding {pad}, stride 1.")
    if not all(v["bias"] for _, v in ordered):
        return f"Every layer of {name} keeps its bias {where}."
    in_channel = args[0] if unit == "convnet_module" else 3
    c1, c2 = args[-3], args[-2]
    fans = {f"{n1}.weight": in_channel * 25, f"{n2}.weight": c1 * 9, f"{n3}.weight": c2 * 32 * 32}
    for key, fan_in in fans.items():
        value = got.get(f"param:{key}")
        if value is None:
            return f"{name} has no parameter {key} {where}."
        message = _judge_kaiming(key, value, fan_in)
        if message:
            return f"{message[:-1]} {where} (nn.init.kaiming_normal_)."
    for key in (f"{n1}.bias", f"{n2}.bias", f"{n3}.bias"):
        value = got.get(f"param:{key}")
        if value is None or np.any(value != 0):
            return f"{key} must start at zero {where} (nn.init.zeros_)."
    return None


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------

def judge_aspect(unit, aspect, infos, arrays, devices):
    if unit in PAIR_REFERENCE:
        if aspect == "running":
            return judge_running(infos, arrays)
        return kinds.judge_aspect(P.UNITS[unit], P.PAIR_CASES[unit], aspect, infos, arrays,
                                  PAIR_REFERENCE[unit], PAIR_VARIANTS[unit], PAIR_HINT[unit])
    if unit == "three_layer_convnet_numpy":
        return judge_net(aspect, infos, arrays)
    if unit == "three_layer_convnet_fn":
        return judge_fn(aspect, infos, arrays, devices)
    if unit == "init_convnet_params":
        return judge_init(infos, arrays)
    if unit in ("convnet_module", "convnet_sequential"):
        if aspect == "structure":
            return judge_structure(unit, infos, arrays)
        module = unit == "convnet_module"
        cases = {"forward": P.MODULE_CASES if module else P.SEQ_CASES,
                 "backward": P.MODULE_BACKWARD if module else P.SEQ_CASES}
        reference = ref.TorchThreeLayerConvNet if module else ref.build_sequential_convnet
        return kinds.judge_module_aspect(P.UNITS[unit][0], cases, aspect, infos, arrays, devices, reference,
                                         share="name" if module else "order")
    if unit == "challenge":
        return challenge.judge(infos, arrays)
    raise KeyError(unit)
