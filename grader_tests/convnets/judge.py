"""The judge of `convnets` (SPEC 4.3): recompute with `reference/` and compare.

Every unit has one entry in `JUDGES` (beside its reference and known wrong variants below): the
forward/backward pairs are the framework's generic `PairJudge` with the reference and the variants
that name each likely bug (batchnorm adds its running statistics), the two networks built from
PyTorch layers are `ModuleJudge`s (with the contract checks every module unit gets) plus their
structure (`LayersJudge`), and the numpy ThreeLayerConvNet, the barebones PyTorch function, its
initialisation and the challenge (challenge.py) have judges of their own.
`three_layer_convnet_numpy` runs with the reference conv and pool layers in its namespace
(units.py: builds_on), so a bug there is never charged twice.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

from reference import convnets as ref
from grader_tests.convnets import challenge
from grader_tests.convnets import probe as P
from grader_tests.convnets.units import TABLE
from grader_tests.framework.contract import verdict as v
from grader_tests.framework.contract.numerics import (
    FD_TOLERANCE, NORMAL_KURTOSIS_MIN_SAMPLES, NORMAL_KURTOSIS_THRESHOLD, close, kurtosis,
    max_abs_error, normal_std_band)
from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.judging.kinds import ModuleJudge, PairJudge, UnitJudge, judges_for

def _heldout_images():
    images, _ = challenge.heldout()
    return {P.HELDOUT: images} if images is not None else {}


GRADER_INPUTS = {"challenge": _heldout_images}   # {unit: files only the grader holds}


def grader_inputs(unit):
    """Files only the grader holds, handed to the sandbox: the challenge's held-out images."""
    return GRADER_INPUTS.get(unit, dict)()


# ---------------------------------------------------------------------------------------------
# conv_naive: known wrong variants (inputs, extras[, dout]) -> output or {name: gradient}
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
    ("out", lambda i, e: _conv(i, e, w=i["w"][:, :, ::-1, ::-1]), Hint(
        "conv:kernel_flipped", "You flipped the kernel: the layer computes a cross-correlation, sum(window * w), "
        "with no flip.")),
    ("out", lambda i, e: _conv(i, e, b=False), Hint(
        "conv:bias_missing", "The bias is missing: add b[f] to every output of filter f.")),
    ("out", _conv_no_stride_windows, Hint("conv:no_stride", "The windows must start at (i * stride, j * stride).")),
    ("grads", lambda i, e, d: {"b": d.mean(axis=(0, 2, 3))}, Hint(
        "conv:db_mean", "db sums dout over N, H' and W' (not the mean).")),
    ("grads", lambda i, e, d: {"b": d.sum(axis=0).ravel()[:d.shape[1]]}, Hint(
        "conv:db_axes", "db sums dout over N, H' and W' (axes 0, 2, 3).")),
    ("grads", lambda i, e, d: {"w": _conv_dw(i, e, d)[:, :, ::-1, ::-1]}, Hint(
        "conv:dw_flipped", "dw is flipped: dw[f] accumulates dout[n, f, i, j] * the input window, unflipped.")),
]
CONV_HINT = Hint("conv:check_layer", "Check the zero padding (H and W only), the window at (i * stride, j * stride), "
                 "sum(window * w[f]) + b[f], with no kernel flip.")


# ---------------------------------------------------------------------------------------------
# max_pool_naive
# ---------------------------------------------------------------------------------------------

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
    ("out", _pool_avg, Hint("pool:average", "You average each window; max pooling takes its maximum.")),
    ("out", _pool_swapped, Hint("pool:height_width_swapped",
                                "pool_height applies to H (axis 2) and pool_width to W (axis 3).")),
    ("grads", lambda i, e, d: _pool_grad(i, e, d, "all"), Hint(
        "pool:grad_to_whole_window", "The gradient goes to every element of the window; it belongs to the "
        "window's maximum only.")),
    ("grads", lambda i, e, d: _pool_grad(i, e, d, "mean"), Hint(
        "pool:grad_averaged", "The gradient is spread evenly over the window (average pooling); it belongs to the "
        "maximum only.")),
    ("grads", lambda i, e, d: _pool_grad(i, e, d, "assign"), Hint(
        "pool:grad_overwritten", "Overlapping windows overwrite each other's gradient: accumulate with += .")),
]
POOL_HINT = Hint("pool:check_layer", "Check the window at (i * stride, j * stride), pool_height on H and "
                 "pool_width on W, and that only each window's maximum gets its gradient.")


# ---------------------------------------------------------------------------------------------
# spatial_batchnorm, and its running statistics
# ---------------------------------------------------------------------------------------------

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
    ("out", lambda i, e: _bn(i, e, ddof=1), Hint(
        "batchnorm:unbiased_variance", "Use the biased variance (ddof=0, numpy's default), not ddof=1.")),
    ("out", lambda i, e: _bn(i, e, eps_outside=True), Hint(
        "batchnorm:eps_outside_sqrt", "eps goes inside the square root: sqrt(var + eps).")),
    ("out", lambda i, e: _bn(i, e, axes=(0,)), Hint(
        "batchnorm:stats_per_pixel", "The statistics of a channel are taken over N, H and W together (axes 0, 2, "
        "3), not per pixel.")),
    ("out", lambda i, e: _bn(i, e, axes=(2, 3)), Hint(
        "batchnorm:stats_per_image", "That normalises each image on its own (instance normalisation): batch "
        "statistics pool N, H and W (axes 0, 2, 3).")),
    ("out", lambda i, e: _bn(i, e, batch_stats=True), Hint(
        "batchnorm:test_mode_batch_stats", "In test mode, normalise with bn_param's running mean and variance, not "
        "the batch's statistics.")),
    ("out", lambda i, e: _bn(i, e, eps=1e-5), Hint(
        "batchnorm:eps_hardcoded", "Read eps from bn_param (default 1e-5 only when absent).")),
]
BN_HINT = Hint("batchnorm:check_layer", "Check per-channel statistics over N, H and W (biased variance), "
               "sqrt(var + eps), and gamma, beta per channel.")
RUNNING_UPDATE = Hint("batchnorm:running_update", "running = momentum * running + (1 - momentum) * batch statistic.")
MOMENTUM_REVERSED = Hint("batchnorm:momentum_reversed", "The momentum is reversed: running = momentum * running + "
                         "(1 - momentum) * batch statistic.")
RUNNING_VAR_UNBIASED = Hint("batchnorm:running_var_unbiased",
                            "The running variance uses the biased batch variance (ddof=0).")
RUNNING_NOT_WRITTEN = Hint("batchnorm:running_not_written", "Write the running statistics back into bn_param.")
TEST_AFTER_RUNNING = Hint("batchnorm:test_mode_running", "In test mode normalise with the running mean and "
                          "variance of bn_param.")


def _expected_running(case, ddof=0, reverse=False):
    """The running statistics after each train-mode call of `case`, and the test-mode output."""
    xs, gamma, beta = case.batches()
    C = case.shape[1]
    m = case.bn_param.get("momentum", 0.9)
    mean = np.array(case.bn_param.get("running_mean", np.zeros(C)), dtype=np.float64)
    var = np.array(case.bn_param.get("running_var", np.zeros(C)), dtype=np.float64)
    steps = []
    for call in range(case.calls):
        bm, bv = xs[call].mean(axis=(0, 2, 3)), xs[call].var(axis=(0, 2, 3), ddof=ddof)
        if reverse:
            mean, var = (1 - m) * mean + m * bm, (1 - m) * var + m * bv
        else:
            mean, var = m * mean + (1 - m) * bm, m * var + (1 - m) * bv
        steps.append({"running_mean": mean.copy(), "running_var": var.copy()})
    param = {"mode": "test", "eps": case.bn_param.get("eps", 1e-5), "running_mean": mean, "running_var": var}
    return steps, ref.spatial_batchnorm_forward(xs[-1], gamma, beta, param)[0]


def judge_running(case, got):
    """bn_param's running statistics after each call, then the test-mode output."""
    where = case.describe()
    steps, test_out = _expected_running(case)
    for call, expected_step in enumerate(steps):
        for key, expected in expected_step.items():
            mine = got.get(f"{key}:{call}")
            if mine is None:
                return v.contract("bn_param", f"has no '{key}' after a train-mode call", f"({where})",
                                  RUNNING_NOT_WRITTEN, "missing")
            if not close(mine, expected, "float64"):
                hint = RUNNING_UPDATE
                if close(mine, _expected_running(case, reverse=True)[0][call][key], "float64"):
                    hint = MOMENTUM_REVERSED
                elif key == "running_var" and close(mine, _expected_running(case, ddof=1)[0][call][key], "float64"):
                    hint = RUNNING_VAR_UNBIASED
                return v.values_differ(f"bn_param['{key}']", f"{where} (call {call + 1})",
                                       max_abs_error(mine, expected), hint, expected="the expected value")
    mine = got.get("test_out")
    if mine is None or not close(mine, test_out, "float64"):
        return v.failed("The test-mode output that follows", "differs from the expected one", where,
                        TEST_AFTER_RUNNING, "values")
    return None


class BatchnormJudge(PairJudge):
    """The generic pair's checks, and `running` (`probe.RunningCase`s): bn_param's statistics."""

    def where(self, case, device, probe=None):
        if isinstance(case, P.RunningCase):
            return case.describe()
        return super().where(case, device, probe)

    def judge_case(self, judging, case, device, got, info):
        if judging.aspect == "running":
            return judge_running(case, got)
        return super().judge_case(judging, case, device, got, info)


# ---------------------------------------------------------------------------------------------
# spatial_groupnorm
# ---------------------------------------------------------------------------------------------

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
    ("out", lambda i, e: _gn(i, e, "interleaved"), Hint(
        "groupnorm:interleaved_groups", "Groups are contiguous blocks of C // G channels (reshape to (N, G, C // G, "
        "H, W)), not every G-th channel.")),
    ("out", lambda i, e: _gn(i, e, "per_channel"), Hint(
        "groupnorm:per_channel_stats", "Each group holds C // G channels: normalise over the whole group and both "
        "spatial axes, not per channel.")),
    ("out", lambda i, e: _gn(i, e, "unbiased"), Hint(
        "groupnorm:unbiased_variance", "Use the biased variance (ddof=0), not ddof=1.")),
]
GN_HINT = Hint("groupnorm:check_layer", "Check the groups (contiguous blocks of C // G channels), statistics per "
               "sample and group over the group's channels and H, W, and sqrt(var + eps).")


# ---------------------------------------------------------------------------------------------
# The numpy ThreeLayerConvNet
# ---------------------------------------------------------------------------------------------

NET_RAISED = Hint("convnet_numpy:same_padding_w2_rows", "With 'same' padding (pad = (filter_size - 1) // 2, "
                  "stride 1) and a 2x2 pool, W2 has num_filters * H/2 * W/2 rows.")
NET_LAYERS = Hint("convnet_numpy:layer_order", "Check the order conv - relu - 2x2 max pool - affine - relu - "
                  "affine, with 'same' padding (filter_size - 1) // 2.")
NET_L2_MISSING = Hint("convnet_numpy:l2_missing", "The L2 term 0.5 * reg * sum(W**2) over W1, W2 and W3 is missing.")
NET_L2_DOUBLED = Hint("convnet_numpy:l2_doubled", "The L2 term is twice too big: 0.5 * reg * sum(W**2).")
NET_REG_GRADIENT = Hint("convnet_numpy:reg_gradient_missing", "The regularisation gradient reg * {name} is missing.")
NET_FD = Hint("convnet_numpy:loss_grads_disagree", "Loss and gradients compute different functions.")
NET_NAMES = Hint("convnet_numpy:param_names", "Keep the names W1 b1 W2 b2 W3 b3.")
NET_DTYPE = Hint("convnet_numpy:param_dtype", "Cast every parameter with .astype(dtype).")
NET_INIT = Hint("convnet_numpy:init_std", "Weights are normal with mean 0 and std weight_scale = {scale:g}.")


def _net_shapes(kwargs):
    d = dict(input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100, num_classes=10)
    d.update({k: value for k, value in kwargs.items() if k in d})
    C, H, W = d["input_dim"]
    F_, k = d["num_filters"], d["filter_size"]
    return {"W1": (F_, C, k, k), "b1": (F_,), "W2": (F_ * (H // 2) * (W // 2), d["hidden_dim"]),
            "b2": (d["hidden_dim"],), "W3": (d["hidden_dim"], d["num_classes"]), "b3": (d["num_classes"],)}


def _judge_net_structure(case, info, got, where):
    missing = [k for k in P.NET_KEYS if k not in info.get("keys", [])]
    if missing:
        return v.contract("self.params", f"lacks {', '.join(missing)}", where, NET_NAMES, "missing")
    dtype = np.dtype(case.kwargs.get("dtype", np.float32)).name
    scale = case.kwargs.get("weight_scale", 1e-3)
    for name, shape in _net_shapes(case.kwargs).items():
        value, label = got[name], f"self.params['{name}']"
        if value.shape != shape:
            return v.wrong_shape(label, value.shape, shape, where)
        if info.get(f"dtype:{name}") != dtype:
            return v.contract(label, f"is {info.get(f'dtype:{name}')}, expected {dtype}", where, NET_DTYPE, "dtype")
        if name.startswith("b"):
            if np.any(value != 0):
                return v.contract(label, "must start at zero", where, symptom="values")
            continue
        low, high = normal_std_band(value.size)
        ratio = value.std() / scale
        if not low < ratio < high or abs(value.mean()) > 5 * scale / math.sqrt(value.size):
            return v.contract(label, f"has mean {value.mean():.3g} and std {value.std():.3g}", where,
                              NET_INIT.format(scale=scale), "values")
    return None


def _judge_net_values(aspect, case, got, where):
    params, X, y, entries = P.net_inputs(case)
    model = ref.ThreeLayerConvNet(**{**case.kwargs, "dtype": np.float64})
    model.params = {k: value.copy() for k, value in params.items()}
    scores = model.loss(X)
    loss, grads = model.loss(X, y)
    where = f"{where} on a batch of {case.N} with the grader's parameters"
    mine = got.get("scores")
    if mine is None or mine.shape != scores.shape:
        return v.failed("loss(X)", f"returned scores of shape {None if mine is None else mine.shape}, expected "
                        f"{scores.shape}", where, symptom="shape")
    if not close(mine, scores, "float64"):
        return v.failed("The scores", "differ from the expected ones", where, NET_LAYERS, "values",
                        max_abs_error(mine, scores))
    reg = case.kwargs.get("reg", 0.0)
    if not close(got.get("loss", np.nan), loss, "float64"):
        no_reg = loss - 0.5 * reg * sum(np.sum(params[k] ** 2) for k in ("W1", "W2", "W3"))
        hint = case.hint
        if reg and close(got["loss"], no_reg, "float64"):
            hint = NET_L2_MISSING
        elif reg and close(got["loss"], 2 * loss - no_reg, "float64"):
            hint = NET_L2_DOUBLED
        return v.failed("The loss", f"is {float(got['loss']):.6g}, expected {loss:.6g}", where, hint, "values")
    if aspect != "backward":
        return None
    for name in P.NET_KEYS:
        mine, expected, label = got.get(f"grad:{name}"), grads[name], f"grads['{name}']"
        if mine is None or mine.shape != expected.shape:
            return v.wrong_shape(label, None if mine is None else mine.shape, expected.shape, where)
        if not close(mine, expected, "float64"):
            hint = case.hint
            if name.startswith("W") and reg and close(mine, expected - reg * params[name], "float64"):
                hint = NET_REG_GRADIENT.format(name=name)
            return v.values_differ(label, where, max_abs_error(mine, expected), hint,
                                   expected="the expected gradient", symptom="gradient")
        num = got.get(f"num:{name}")
        picked = np.array([mine[idx] for idx in entries[name]])
        if num is None or max_abs_error(picked, num) > FD_TOLERANCE * max(1.0, float(np.abs(num).max())):
            return v.failed(label, "disagrees with finite differences of your own loss", where, NET_FD, "gradient")
    return None


class NetJudge(UnitJudge):
    """The numpy ThreeLayerConvNet: its parameters as built (`structure`), then scores, loss and
    gradients with the grader's parameters against the reference (and finite differences of the
    student's own loss)."""

    def judge_error(self, judging, case, device, got, info):
        if "error" in info and not str(info["error"]).startswith("NotImplementedError"):
            return v.raised(judging.name, info["error"], self.where(case, device), NET_RAISED)
        return super().judge_error(judging, case, device, got, info)

    def judge_case(self, judging, case, device, got, info):
        where = self.where(case, device)
        if judging.aspect == "structure":
            return _judge_net_structure(case, info, got, where)
        return _judge_net_values(judging.aspect, case, got, where)


# ---------------------------------------------------------------------------------------------
# PyTorch: the barebones function
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
     Hint("convnet_fn:softmax", "Return the raw scores: no softmax (the loss applies it).")),
    (_fn_variant_nhwc, Hint("convnet_fn:flatten_channels_last", "Flatten each (C, H, W) feature map in that order "
                            "(x.flatten(1)); do not move the channels last.")),
    (_fn_variant_no_relu2, Hint("convnet_fn:relu_missing", "A ReLU follows each of the two convolutions.")),
    (_fn_variant_relu_out, Hint("convnet_fn:relu_on_scores", "The scores are the fully connected layer's output, "
                                "with no ReLU after it.")),
]
FN_HINT = Hint("convnet_fn:check_layers", "Check the paddings (2 for the 5x5 convolution, 1 for the 3x3: both keep "
               "H and W) and flatten each image to one row (x.flatten(1)) before x @ fc_w + fc_b.")
FN_FIXED_DEVICE = Hint("convnet_fn:fixed_device", "Create new tensors on the input's device (x.new_zeros(...), "
                       "torch.zeros(..., device=x.device)); this is what breaks on a GPU.")
FN_KEEP_DTYPE = Hint("convnet_fn:input_dtype", "Keep the input's dtype: do not cast to float32 or create tensors of "
                     "another dtype.")
FN_DTYPE_DEVICE = Hint("convnet_fn:output_dtype_device", "Keep the input's dtype and device.")
FN_GRAPH = Hint("convnet_fn:gradient_missing", "The scores must stay connected to the input and every parameter "
                "in the autograd graph (no .data, .detach() or numpy round trips).")


class FnJudge(UnitJudge):
    """`three_layer_convnet` against the reference on every (case, device) of `FnProbe.plan`: the
    meta-device pass judged on the output's device only, the others on dtype, device, values and
    (backward) gradients, a known wrong variant naming the likely bug."""

    def judge_error(self, judging, case, device, got, info):
        if device == "meta":
            if "error" in info or str(got.get("out_device")) != "meta":
                return v.failed(judging.name, "creates a tensor on a fixed device: with the input on a non-CPU "
                                "device it raised or returned CPU scores", hint=FN_FIXED_DEVICE, symptom="dtype")
            return None
        error = str(info.get("error", ""))
        if error and not error.startswith("NotImplementedError"):
            dtype_bug = "type" in error and ("Double" in error or "double" in error)
            return v.raised(judging.name, error, self.where(case, device),
                            FN_KEEP_DTYPE if dtype_bug else case.hint or FN_HINT)
        return super().judge_error(judging, case, device, got, info)

    def judge_case(self, judging, case, device, got, info):
        if device == "meta":
            return None
        where = self.where(case, device)
        backward = judging.aspect == "backward"
        expected = P.drive_fn(ref.three_layer_convnet, case, torch.device(device), backward)
        if str(got.get("out_dtype")) != case.dtype or str(got.get("out_device")) != torch.device(device).type:
            return v.contract("The scores", f"are {got.get('out_dtype')} on {got.get('out_device')}", where,
                              FN_DTYPE_DEVICE, "dtype")
        keys = ["out"] + ([k for k in expected if k.startswith("grad:")] if backward else [])
        for key in keys:
            mine = got.get(key)
            what = "the scores" if key == "out" else key.replace("grad:", "the gradient of ")
            if mine is None and key != "out":
                return v.contract(f"The gradient of {key[len('grad:'):]}", "is missing", where, FN_GRAPH, "missing")
            if mine is None or mine.shape != expected[key].shape:
                got_shape = "are missing" if mine is None else f"have shape {mine.shape}"
                return v.failed(what, f"{got_shape}, expected shape {expected[key].shape}", where, case.hint, "shape")
            if not close(mine, expected[key], case.dtype):
                return v.failed(what, f"differ{'s' if key != 'out' else ''} from the expected value", where,
                                self._variant(case, device, key, mine, backward) or case.hint or FN_HINT,
                                "values" if key == "out" else "gradient", max_abs_error(mine, expected[key]))
        return None

    def _variant(self, case, device, key, mine, backward):
        for variant, hint in FN_VARIANTS:
            try:
                other = P.drive_fn(variant, case, torch.device(device), backward)
            except RuntimeError:
                continue
            if key in other and close(mine, other[key], case.dtype):
                return hint
        return None


# ---------------------------------------------------------------------------------------------
# Kaiming-normal initialisation: init_convnet_params, and the layers of the two networks
# ---------------------------------------------------------------------------------------------

KAIMING_STD = Hint("convnets:kaiming_normal_std", "Kaiming-normal weights have mean 0 and std sqrt(2 / fan_in) = "
                   "{std:.3g} (fan_in = {fan_in}){how}.")
KAIMING_UNIFORM = Hint("convnets:kaiming_normal_not_uniform", "Kaiming-normal weights are normal (randn * std){how}.")


def judge_kaiming(label, value, fan_in, where, how=""):
    """A verdict when `value` does not look drawn from N(0, 2 / fan_in); `how` names the call to use."""
    expected = math.sqrt(2.0 / fan_in)
    low, high = normal_std_band(value.size)
    std, mean = float(value.std()), float(value.mean())
    if not low < std / expected < high or abs(mean) > 5 * expected / math.sqrt(value.size):
        return v.contract(label, f"has mean {mean:.3g} and std {std:.3g}", where,
                          KAIMING_STD.format(std=expected, fan_in=fan_in, how=how), "values")
    if value.size >= NORMAL_KURTOSIS_MIN_SAMPLES and kurtosis(value) < NORMAL_KURTOSIS_THRESHOLD:
        return v.contract(label, "looks uniformly distributed", where, KAIMING_UNIFORM.format(how=how), "values")
    return None


INIT_SIX = Hint("init:six_tensors", "Return the six tensors conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b.")
INIT_DTYPE = Hint("init:float32", "Use the given random_weight / zero_weight (float32).")
INIT_LEAF = Hint("init:leaf_requires_grad", "The optimiser updates leaf tensors with requires_grad=True (as "
                 "random_weight and zero_weight return them; do not scale them afterwards).")
INIT_ZERO_BIASES = Hint("init:zero_biases", "The biases are zeros (zero_weight).")


def judge_init(judging, case, device, got, info):
    """The six tensors of `init_convnet_params` for one `probe.InitCase`."""
    where = f"for {case.describe()}"
    if info.get("count") != 6:
        return v.contract("init_convnet_params", f"returned {info.get('count')} items", where, INIT_SIX)
    c1, c2, K, C = case.channel_1, case.channel_2, case.classes, case.in_channels
    shapes = [(c1, C, 5, 5), (c1,), (c2, c1, 3, 3), (c2,), (c2 * case.height * case.width, K), (K,)]
    fans = [C * 25, None, c1 * 9, None, c2 * case.height * case.width, None]
    for j, (name, shape, fan_in) in enumerate(zip(P.PARAM_NAMES, shapes, fans)):
        if f"type:{j}" in info:
            return v.contract(name, f"is a {info[f'type:{j}']}, not a tensor", where, INIT_SIX)
        value = got[f"p{j}"]
        if value.shape != shape:
            return v.wrong_shape(name, value.shape, shape, where)
        if info.get(f"dtype:{j}") != "float32":
            return v.contract(name, f"is {info.get(f'dtype:{j}')}", where, INIT_DTYPE, "dtype")
        if not info.get(f"requires_grad:{j}") or not info.get(f"leaf:{j}"):
            problem = "does not require gradients" if not info.get(f"requires_grad:{j}") else "is not a leaf tensor"
            return v.contract(name, problem, where, INIT_LEAF)
        if fan_in is None:
            if np.any(value != 0):
                return v.contract(name, "must be zeros", where, INIT_ZERO_BIASES, "values")
            continue
        found = judge_kaiming(name, value, fan_in, where)
        if found:
            return found
    return None


# ---------------------------------------------------------------------------------------------
# PyTorch: the nn.Module and the nn.Sequential
# ---------------------------------------------------------------------------------------------

LAYER_KINDS = ["Conv2d", "Conv2d", "Linear"]
CONV_SHAPES = ((5, 2), (3, 1))    # (kernel, padding) of the two convolutions, stride 1
LAYERS_BIAS = Hint("convnets:layers_keep_bias", "Every layer keeps its bias.")
LAYERS_ZERO_BIAS = Hint("convnets:layers_zero_bias", "Every bias starts at zero (nn.init.zeros_).")
SUBMODULES = Hint("convnet_module:submodule_names", "Keep the contract's submodule names self.conv1, self.conv2 "
                  "and self.fc.")
SEQUENTIAL = Hint("convnet_sequential:not_sequential", "Build an nn.Sequential.")
NOT_A_MODULE = Hint("convnets:not_a_module", "Build the network from torch.nn layers: an nn.Module.")
LAYERS_IN_ORDER = Hint("convnets:layer_kinds", "The contract has the layers Conv2d, Conv2d, Linear, in that order.")
CONV_SHAPE = Hint("convnets:conv_kernel_padding", "Expected a {kernel}x{kernel} kernel with padding {pad}, stride 1.")


class LayersJudge(ModuleJudge):
    """A network built from PyTorch layers: the generic module judge (values and gradients with the
    student's parameters, the contract checks every module unit gets) and `structure`: the layers'
    kinds, kernels, paddings and biases and their Kaiming-normal initialisation. `submodules`: the
    names the contract gives the three layers (None: any, in order); `sequential`: whether the
    contract asks for an nn.Sequential."""

    def __init__(self, reference, share="name", submodules=None, sequential=False, **kwargs):
        super().__init__(reference=reference, share=share, **kwargs)
        self.submodules, self.sequential = submodules, sequential

    def judge_case(self, judging, case, device, got, info):
        if judging.aspect == "structure":
            return self.judge_structure(judging.name, case, info, got)
        return super().judge_case(judging, case, device, got, info)

    def judge_structure(self, name, case, info, got):
        call, where = case.describe(), f"for {case.describe()}"
        if not info.get("is_module"):
            return v.contract(call, f"built a {info.get('type')}, not an nn.Module", hint=NOT_A_MODULE)
        if self.sequential and not info.get("is_sequential"):
            return v.contract(call, f"returned a {info.get('type')}", hint=SEQUENTIAL)
        layers = {key[len("layer:"):]: value for key, value in info.items() if key.startswith("layer:")}
        if self.submodules:
            for child in self.submodules:
                if child not in info.get("children", {}):
                    return v.contract(name, f"has no submodule self.{child}, which the contract names", where,
                                      SUBMODULES, "missing")
            layers = {n: layers[n] for n in self.submodules if n in layers}
        ordered = list(layers.items())
        kinds_seen = [layer["kind"] for _, layer in ordered]
        if kinds_seen != LAYER_KINDS:
            return v.contract(call, f"has the layers {kinds_seen}", hint=LAYERS_IN_ORDER)
        (n1, l1), (n2, l2), (n3, _) = ordered
        for label, layer, (kernel, pad) in ((n1, l1, CONV_SHAPES[0]), (n2, l2, CONV_SHAPES[1])):
            if layer["kernel"] != [kernel, kernel] or layer["padding"] != [pad, pad] or layer["stride"] != [1, 1]:
                return v.contract(f"Layer {label}", f"has kernel {layer['kernel']}, padding {layer['padding']}, "
                                  f"stride {layer['stride']}", hint=CONV_SHAPE.format(kernel=kernel, pad=pad))
        if not all(layer["bias"] for _, layer in ordered):
            return v.contract(name, "has a layer without a bias", where, LAYERS_BIAS, "missing")
        c1, c2 = case.args[-3], case.args[-2]
        fans = {f"{n1}.weight": case.in_channels * 25, f"{n2}.weight": c1 * 9, f"{n3}.weight": c2 * 32 * 32}
        for key, fan_in in fans.items():
            value = got.get(f"param:{key}")
            if value is None:
                return v.contract(name, f"has no parameter {key}", where, symptom="missing")
            found = judge_kaiming(key, value, fan_in, where, how=": nn.init.kaiming_normal_")
            if found:
                return found
        for key in (f"{n1}.bias", f"{n2}.bias", f"{n3}.bias"):
            value = got.get(f"param:{key}")
            if value is None or np.any(value != 0):
                return v.contract(key, "must start at zero", where, LAYERS_ZERO_BIAS, "values")
        return None


# ---------------------------------------------------------------------------------------------
# The units' judges
# ---------------------------------------------------------------------------------------------

JUDGES = judges_for(
    TABLE, P.PROBES,
    conv_naive={"reference": (ref.conv_forward_naive, ref.conv_backward_naive), "variants": CONV_VARIANTS,
                "hint": CONV_HINT},
    max_pool_naive={"reference": (ref.max_pool_forward_naive, ref.max_pool_backward_naive),
                    "variants": POOL_VARIANTS, "hint": POOL_HINT},
    spatial_batchnorm=BatchnormJudge((ref.spatial_batchnorm_forward, ref.spatial_batchnorm_backward),
                                     variants=BN_VARIANTS, hint=BN_HINT),
    spatial_groupnorm={"reference": (ref.spatial_groupnorm_forward, ref.spatial_groupnorm_backward),
                       "variants": GN_VARIANTS, "hint": GN_HINT},
    three_layer_convnet_numpy=NetJudge(),
    three_layer_convnet_fn=FnJudge(),
    init_convnet_params=UnitJudge(judge_case=judge_init),
    convnet_module=LayersJudge(ref.TorchThreeLayerConvNet, share="name", submodules=("conv1", "conv2", "fc")),
    convnet_sequential=LayersJudge(ref.build_sequential_convnet, share="order", sequential=True),
    challenge=challenge.ChallengeJudge(),
)
