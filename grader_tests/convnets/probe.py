"""The probe half of the `convnets` checks: runs student code, returns plain data.

Copied into the grading sandbox (grader_tests/framework/pipeline/grading.py): it must not import
`reference` or hold anything that gives an answer away. The forward/backward pairs and the
PyTorch nn.Module units use the framework's generic kinds (grader_tests/framework/sandboxed/kinds.py) on
the cases below; the rest (batchnorm's running statistics, the numpy ThreeLayerConvNet, the
barebones PyTorch function and its initialisation, the challenge) have small probes here.
"""
import os
import time
import warnings

import numpy as np

from grader_tests.framework.sandboxed import harness, kinds
from grader_tests.convnets.units import TABLE

UNITS = {u.id: u.defines for u in TABLE.code_units}
Case = kinds.Case


def conv_case(seed, x, w, stride, pad, hint=""):
    return Case(seed, (("x", x), ("w", w), ("b", (w[0],))), ({"stride": stride, "pad": pad},), hint=hint)


N1 = "It fails only for N = 1 or C = 1: keep every axis (no .squeeze())."
CONV_CASES = [
    conv_case(1, (2, 3, 5, 5), (4, 3, 3, 3), 1, 1),
    conv_case(2, (1, 1, 4, 4), (2, 1, 3, 3), 1, 0, hint=N1),
    conv_case(3, (2, 2, 7, 5), (3, 2, 3, 3), 2, 1, hint="It fails with stride 2 and odd H, W: "
              "H' = 1 + (H + 2 pad - HH) // stride, windows start at multiples of the stride."),
    conv_case(4, (2, 3, 4, 6), (2, 3, 2, 4), 2, 2, hint="It fails with pad 2 and a non-square kernel: "
              "pad both sides of H and W only (not N or C), and keep HH and WW apart."),
    conv_case(5, (3, 2, 6, 6), (1, 2, 1, 1), 1, 0, hint="It fails for a 1x1 kernel and one filter."),
    conv_case(6, (2, 1, 5, 4), (3, 1, 3, 3), 1, 1, hint=N1),
]
CONV_BACKWARD = [CONV_CASES[0], CONV_CASES[1], CONV_CASES[2], CONV_CASES[3]]


def pool_case(seed, x, ph, pw, stride, hint=""):
    return Case(seed, (("x", x),), ({"pool_height": ph, "pool_width": pw, "stride": stride},), hint=hint)


POOL_CASES = [
    pool_case(11, (2, 3, 4, 4), 2, 2, 2),
    pool_case(12, (1, 3, 6, 6), 3, 3, 3, hint=N1),
    pool_case(15, (2, 1, 4, 4), 2, 2, 2, hint=N1),
    pool_case(13, (2, 2, 5, 7), 2, 3, 1, hint="It fails with overlapping windows (stride 1 < pool "
              "size) and a non-square pool: windows overlap, so gradients add up (+=)."),
    pool_case(14, (3, 2, 7, 5), 3, 1, 2, hint="It fails for a non-square pool and odd sizes: keep "
              "pool_height on H and pool_width on W; H' = 1 + (H - pool_height) // stride."),
]


def bn_case(seed, shape, bn_param, hint=""):
    C = shape[1]
    return Case(seed, (("x", shape), ("gamma", (C,)), ("beta", (C,))), (bn_param,),
                affine=(("x", 2.5, 4.0),), hint=hint)


def _running(C, seed):
    rng = np.random.default_rng(500 + seed)
    return {"running_mean": rng.standard_normal(C), "running_var": rng.uniform(0.5, 2.0, C)}


BN_CASES = [
    bn_case(21, (4, 3, 5, 5), {"mode": "train"}),
    bn_case(22, (1, 2, 3, 4), {"mode": "train"}, hint=N1),
    bn_case(23, (3, 4, 2, 5), {"mode": "train", "eps": 1e-3, "momentum": 0.5, **_running(4, 23)},
            hint="It fails with eps=1e-3 given in bn_param: read eps (and momentum) from bn_param."),
    bn_case(24, (2, 3, 4, 3), {"mode": "test", **_running(3, 24)},
            hint="It fails in test mode: normalise with bn_param's running_mean and running_var."),
    bn_case(25, (2, 1, 3, 3), {"mode": "test", "eps": 0.1, **_running(1, 25)},
            hint="It fails in test mode with eps=0.1: normalise with sqrt(running_var + eps)."),
]
BN_BACKWARD = [BN_CASES[0], BN_CASES[1], BN_CASES[2]]
# the running statistics: several train-mode calls on one bn_param, then one in test mode
BN_RUNNING = [((3, 4, 3, 3), {"mode": "train"}, 31),
              ((2, 2, 4, 5), {"mode": "train", "momentum": 0.7}, 32),
              ((1, 3, 2, 2), {"mode": "train", "momentum": 0.95, **_running(3, 33)}, 33)]
BN_RUNNING_CALLS = 3


def gn_case(seed, shape, G, gn_param=None, hint=""):
    C = shape[1]
    return Case(seed, (("x", shape), ("gamma", (1, C, 1, 1)), ("beta", (1, C, 1, 1))),
                (G, gn_param or {}), grads=("x", "gamma", "beta"), affine=(("x", 2.0, 3.0),),
                label=f"x of shape {shape}, G = {G}{', ' + str(gn_param) if gn_param else ''}", hint=hint)


GN_CASES = [
    gn_case(41, (2, 6, 4, 5), 2),
    gn_case(42, (3, 4, 3, 3), 1, hint="It fails for G = 1 (one group of all channels, like layer normalisation)."),
    gn_case(43, (2, 4, 2, 3), 4, hint="It fails for G = C (one channel per group, like instance normalisation)."),
    gn_case(44, (1, 6, 3, 2), 3, hint=N1),
    gn_case(45, (2, 8, 2, 2), 2, {"eps": 0.01}, hint="It fails with eps=0.01 given in gn_param: read eps from it."),
]
GN_BACKWARD = [GN_CASES[0], GN_CASES[1], GN_CASES[2], GN_CASES[3]]

PAIR_CASES = {
    "conv_naive": {"forward": CONV_CASES, "backward": CONV_BACKWARD},
    "max_pool_naive": {"forward": POOL_CASES, "backward": POOL_CASES},
    "spatial_batchnorm": {"forward": BN_CASES, "backward": BN_BACKWARD},
    "spatial_groupnorm": {"forward": GN_CASES, "backward": GN_BACKWARD},
}


def bn_running_arrays(shape, seed):
    """The inputs of the running-statistics probe: one batch per call."""
    rng = np.random.default_rng(600 + seed)
    C = shape[1]
    xs = [rng.standard_normal(shape) * rng.uniform(0.5, 3, (1, C, 1, 1)) + rng.uniform(-2, 2, (1, C, 1, 1))
          for _ in range(BN_RUNNING_CALLS + 1)]
    return xs, rng.standard_normal(C), rng.standard_normal(C)


def probe_bn_running(forward):
    infos, arrays = [], {}
    for k, (shape, bn_param, seed) in enumerate(BN_RUNNING):
        info, got = {}, {}
        xs, gamma, beta = bn_running_arrays(shape, seed)
        param = {key: (v.copy() if isinstance(v, np.ndarray) else v) for key, v in bn_param.items()}
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for call in range(BN_RUNNING_CALLS):
                    forward(xs[call].copy(), gamma.copy(), beta.copy(), param)
                    for key in ("running_mean", "running_var"):
                        if key in param:
                            got[f"{key}:{call}"] = np.asarray(param[key], dtype=np.float64).copy()
                param["mode"] = "test"
                got["test_out"] = np.asarray(forward(xs[-1].copy(), gamma.copy(), beta.copy(), param)[0],
                                             dtype=np.float64)
        except NotImplementedError:
            info["error"] = "NotImplementedError"
        except Exception as err:
            info["error"] = harness.describe_exception(err)
        infos.append(info)
        arrays.update(harness.keyed("running", k, got))
    return {"running": infos}, arrays


# ---------------------------------------------------------------------------------------------
# The numpy ThreeLayerConvNet
# ---------------------------------------------------------------------------------------------

NET_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")
# (kwargs, N, seed, hint)
NET_CASES = [
    (dict(input_dim=(3, 6, 6), num_filters=4, filter_size=3, hidden_dim=7, num_classes=5), 3, 51, ""),
    (dict(input_dim=(2, 8, 4), num_filters=3, filter_size=5, hidden_dim=6, num_classes=4, reg=0.3), 2, 52,
     "It fails with reg > 0: the loss adds 0.5 * reg * sum(W**2) for W1, W2, W3, their gradients reg * W."),
    (dict(input_dim=(1, 4, 4), num_filters=2, filter_size=3, hidden_dim=5, num_classes=3, reg=0.1), 1, 53,
     "It fails for N = 1 or one input channel: keep every axis."),
]
NET_STRUCTURE = [
    (dict(), 61),
    (dict(input_dim=(1, 12, 8), num_filters=16, filter_size=5, hidden_dim=64, num_classes=7,
          weight_scale=0.05, dtype=np.float64), 62),
]
FD_ENTRIES = 6     # finite differences on this many entries of each parameter


def net_inputs(case):
    kwargs, N, seed, _ = case
    rng = np.random.default_rng(700 + seed)
    C, H, W = kwargs["input_dim"]
    F, k, hid, K = kwargs["num_filters"], kwargs["filter_size"], kwargs["hidden_dim"], kwargs["num_classes"]
    shapes = {"W1": (F, C, k, k), "b1": (F,), "W2": (F * (H // 2) * (W // 2), hid), "b2": (hid,),
              "W3": (hid, K), "b3": (K,)}
    params = {name: 0.4 * rng.standard_normal(s) for name, s in shapes.items()}
    X = rng.standard_normal((N, C, H, W))
    y = rng.integers(0, K, N)
    entries = {name: [tuple(int(rng.integers(0, d)) for d in s) for _ in range(FD_ENTRIES)]
               for name, s in shapes.items()}
    return params, X, y, entries


def _build_net(cls, kwargs, params):
    model = cls(**{**kwargs, "dtype": np.float64})
    model.params = {k: v.copy() for k, v in params.items()}
    return model


def probe_net(cls, aspects):
    infos, arrays = {}, {}
    for aspect in aspects:
        infos[aspect] = []
        cases = NET_STRUCTURE if aspect == "structure" else NET_CASES
        for k, case in enumerate(cases):
            info, got = {}, {}
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    if aspect == "structure":
                        kwargs, seed = case
                        np.random.seed(seed)
                        model = cls(**kwargs)
                        params = getattr(model, "params", None)
                        if not isinstance(params, dict):
                            raise TypeError("the model has no dict self.params")
                        info["keys"] = sorted(str(key) for key in params)
                        for name in NET_KEYS:
                            if name in params:
                                value = np.asarray(params[name])
                                info[f"dtype:{name}"] = str(value.dtype)
                                got[name] = value.astype(np.float64)
                    else:
                        kwargs, N, seed, _ = case
                        params, X, y, entries = net_inputs(case)
                        model = _build_net(cls, kwargs, params)
                        got["scores"] = np.asarray(model.loss(X.copy()), dtype=np.float64)
                        loss, grads = model.loss(X.copy(), y.copy())
                        got["loss"] = np.asarray(float(loss))
                        if aspect == "backward":
                            for name in NET_KEYS:
                                if name in grads:
                                    got[f"grad:{name}"] = np.asarray(grads[name], dtype=np.float64)
                                    num = []
                                    for idx in entries[name]:
                                        num.append(_fd_entry(model, X, y, name, idx))
                                    got[f"num:{name}"] = np.array(num)
            except NotImplementedError:
                info["error"] = "NotImplementedError"
            except Exception as err:
                info["error"] = harness.describe_exception(err)
            infos[aspect].append(info)
            arrays.update(harness.keyed(aspect, k, got))
    return infos, arrays


def _fd_entry(model, X, y, name, idx, h=1e-6):
    w = model.params[name]
    old = w[idx]
    w[idx] = old + h
    plus = float(model.loss(X.copy(), y.copy())[0])
    w[idx] = old - h
    minus = float(model.loss(X.copy(), y.copy())[0])
    w[idx] = old
    return (plus - minus) / (2 * h)


# ---------------------------------------------------------------------------------------------
# PyTorch: the barebones function and its initialisation
# ---------------------------------------------------------------------------------------------

# (N, C, H, W, channel_1, channel_2, classes, dtype, seed, hint)
FN_CASES = [
    (2, 3, 8, 8, 4, 3, 5, "float64", 71, ""),
    (1, 3, 6, 6, 2, 2, 3, "float64", 72, "It fails only for N = 1: flatten with x.reshape(N, -1) "
                                         "(or flatten(1)), never a hard-coded batch size."),
    (3, 1, 5, 7, 3, 2, 4, "float32", 73, "It fails for one input channel and odd, non-square images."),
    (2, 3, 4, 4, 2, 4, 10, "float32", 74, ""),
]
FN_BACKWARD = FN_CASES[:3]
PARAM_NAMES = ("conv_w1", "conv_b1", "conv_w2", "conv_b2", "fc_w", "fc_b")


def fn_tensors(case, device):
    import torch
    N, C, H, W, c1, c2, K, dtype, seed, _ = case
    gen = torch.Generator().manual_seed(800 + seed)
    shapes = [(N, C, H, W), (c1, C, 5, 5), (c1,), (c2, c1, 3, 3), (c2,), (c2 * H * W, K), (K,)]
    scales = [1.0, 0.3, 0.3, 0.3, 0.3, 0.1, 0.3]
    tensors = [(torch.randn(*s, generator=gen, dtype=torch.float64) * a).to(device=device, dtype=getattr(torch, dtype))
               for s, a in zip(shapes, scales)]
    upstream = torch.randn(N, K, generator=gen, dtype=torch.float64).to(device=device, dtype=getattr(torch, dtype))
    return tensors[0], tensors[1:], upstream


def drive_fn(fn, case, device, backward):
    """Scores of fn on the case's input and params, and the gradients of sum(scores * upstream)."""
    import torch
    arrays = {}
    x, params, upstream = fn_tensors(case, device)
    x.requires_grad_(backward)
    for p in params:
        p.requires_grad_(backward)
    scores = fn(x, list(params))
    if not isinstance(scores, torch.Tensor):
        raise TypeError(f"returned {type(scores).__name__}, not a tensor")
    arrays["out_device"] = np.array(scores.device.type)
    if device.type == "meta":
        return arrays
    arrays["out"] = scores.detach().cpu().double().numpy()
    arrays["out_dtype"] = np.array(str(scores.dtype).replace("torch.", ""))
    if backward and scores.shape == upstream.shape:
        (scores * upstream).sum().backward()
        for name, t in zip(("x",) + PARAM_NAMES, [x] + list(params)):
            if t.grad is not None:
                arrays[f"grad:{name}"] = t.grad.detach().cpu().double().numpy()
    return arrays


def fn_plan(aspect, devices):
    """The (case, device) pairs of a hidden test of three_layer_convnet_fn: every case on every
    grading device; for the forward values also one shapes-only pass on torch's 'meta' device,
    which catches tensors created on a fixed device even without a GPU."""
    cases = FN_CASES if aspect == "forward" else FN_BACKWARD
    pairs = [(c, d) for c in cases for d in devices]
    return pairs + ([(FN_CASES[0], "meta")] if aspect == "forward" else [])


def probe_fn(fn, aspects, devices):
    import torch
    infos, arrays = {}, {}
    for aspect in aspects:
        infos[aspect] = []
        for k, (case, device) in enumerate(fn_plan(aspect, devices)):
            info, got = {}, {}
            try:
                got = drive_fn(fn, case, torch.device(device), aspect == "backward")
            except NotImplementedError:
                info["error"] = "NotImplementedError"
            except Exception as err:
                info["error"] = harness.describe_exception(err)
            infos[aspect].append(info)
            arrays.update(harness.keyed(aspect, k, got))
    return infos, arrays


# (channel_1, channel_2, num_classes, in_channels, height, width, seed)
INIT_CASES = [(32, 16, 10, 3, 16, 16, 81), (8, 24, 5, 1, 10, 6, 82)]


def probe_init(fn):
    import torch
    infos, arrays = [], {}
    for k, (c1, c2, K, C, H, W, seed) in enumerate(INIT_CASES):
        info, got = {}, {}
        try:
            torch.manual_seed(seed)
            params = fn(c1, c2, K, in_channels=C, height=H, width=W)
            params = list(params)
            info["count"] = len(params)
            for j, p in enumerate(params):
                if not isinstance(p, torch.Tensor):
                    info[f"type:{j}"] = type(p).__name__
                    continue
                info[f"requires_grad:{j}"] = bool(p.requires_grad)
                info[f"leaf:{j}"] = bool(p.is_leaf)
                info[f"dtype:{j}"] = str(p.dtype).replace("torch.", "")
                got[f"p{j}"] = p.detach().cpu().double().numpy()
        except NotImplementedError:
            info["error"] = "NotImplementedError"
        except Exception as err:
            info["error"] = harness.describe_exception(err)
        infos.append(info)
        arrays.update(harness.keyed("structure", k, got))
    return {"structure": infos}, arrays


# ---------------------------------------------------------------------------------------------
# PyTorch: the nn.Module and the nn.Sequential (generic module kind) and their initialisation
# ---------------------------------------------------------------------------------------------

MODULE_HINT = ("Check conv1 (5x5, padding 2) - ReLU - conv2 (3x3, padding 1) - ReLU - flatten each "
               "image (x.flatten(1)) - fc, and return fc's output as it is (no softmax, no dropout).")
MODULE_CASES = [
    kinds.ModuleCase(91, (3, 4, 3, 5), (("x", (2, 3, 32, 32)),), hint=MODULE_HINT),
    kinds.ModuleCase(92, (1, 2, 2, 3), (("x", (1, 1, 32, 32)),), dtype="float32",
                     hint="It fails for N = 1 or one input channel: flatten with x.flatten(1) or "
                          "x.reshape(x.shape[0], -1)."),
    kinds.ModuleCase(93, (3, 3, 2, 10), (("x", (3, 3, 32, 32)),), dtype="float32", hint=MODULE_HINT),
]
SEQ_CASES = [
    kinds.ModuleCase(94, (4, 3, 5), (("x", (2, 3, 32, 32)),), hint=MODULE_HINT.replace("conv1", "a Conv2d").replace(
        "conv2", "a Conv2d").replace("- fc,", "- Linear,").replace("fc's output", "the Linear layer's output")),
    kinds.ModuleCase(95, (2, 2, 3), (("x", (1, 3, 32, 32)),), dtype="float32",
                     hint="It fails only for N = 1: flatten with nn.Flatten() or x.reshape(x.shape[0], -1)."),
]
MODULE_BACKWARD = MODULE_CASES[:2]
STRUCTURE_ARGS = {"convnet_module": (3, 32, 16, 10), "convnet_sequential": (32, 16, 10)}


def probe_structure(factory, unit):
    import torch
    info, got = {}, {}
    try:
        torch.manual_seed(101)
        module = factory(*STRUCTURE_ARGS[unit])
        info["type"] = type(module).__name__
        info["is_module"] = isinstance(module, torch.nn.Module)
        info["is_sequential"] = isinstance(module, torch.nn.Sequential)
        if info["is_module"]:
            info["children"] = {name: type(child).__name__ for name, child in module.named_children()}
            info["param_order"] = [n for n, _ in module.named_parameters()]
            for name, layer in module.named_modules():
                if isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear)):
                    extra = {"kind": type(layer).__name__, "bias": layer.bias is not None}
                    if isinstance(layer, torch.nn.Conv2d):
                        extra.update(kernel=list(layer.kernel_size), padding=list(layer.padding)
                                     if not isinstance(layer.padding, str) else layer.padding,
                                     stride=list(layer.stride))
                    info[f"layer:{name}"] = extra
            for name, p in module.named_parameters():
                got[f"param:{name}"] = p.detach().cpu().double().numpy()
    except NotImplementedError:
        info["error"] = "NotImplementedError"
    except Exception as err:
        info["error"] = harness.describe_exception(err)
    return {"structure": [info]}, harness.keyed("structure", 0, got)


# ---------------------------------------------------------------------------------------------
# The challenge
# ---------------------------------------------------------------------------------------------

CHECKPOINT = "best_model.pt"
HELDOUT = "heldout_images"
INFERENCE_SECONDS = 20.0     # the whole held-out set, on the first grading device
MAX_CHECKPOINT_BYTES = 20 * 2**20   # larger checkpoints are not loaded
BATCH = 250


def probe_challenge(build, files, devices):
    import torch
    info, got = {}, {}
    path, images = files.get(CHECKPOINT), files.get(HELDOUT)
    try:
        torch.manual_seed(0)
        model = build()
        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"build_best_model() returned {type(model).__name__}, not an nn.Module")
    except NotImplementedError:
        info["error"] = "NotImplementedError"
        return {"accuracy": [info]}, {}
    except Exception as err:
        info["error"] = harness.describe_exception(err)
        return {"accuracy": [info]}, {}
    if path is None:
        info["checkpoint"] = "missing"
        return {"accuracy": [info]}, {}
    info["checkpoint_bytes"] = os.path.getsize(path)
    if info["checkpoint_bytes"] > MAX_CHECKPOINT_BYTES:
        info["checkpoint"] = "too large"
        return {"accuracy": [info]}, {}
    if images is None:
        info["heldout"] = "missing"
        return {"accuracy": [info]}, {}
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        info["checkpoint"] = "unreadable"
        info["reason"] = harness.describe_exception(err, limit=300)
        return {"accuracy": [info]}, {}
    try:
        if not isinstance(state, dict):
            raise TypeError(f"the checkpoint holds a {type(state).__name__}, not a state_dict")
        model.load_state_dict(state)
    except Exception as err:
        info["checkpoint"] = "incompatible"
        info["reason"] = harness.describe_exception(err, limit=300)
        return {"accuracy": [info]}, {}
    import sys
    normalize_images = sys.modules["cnn_helpers"].normalize_images  # the course's copy (given code)
    device = torch.device(devices[0])
    X = np.load(images, allow_pickle=False)
    predictions = []
    start = time.perf_counter()
    try:
        model = model.to(device).eval()
        with torch.no_grad():
            for first in range(0, len(X), BATCH):
                batch = torch.from_numpy(normalize_images(X[first:first + BATCH])).to(device)
                scores = model(batch)
                predictions.append(scores.argmax(dim=1).cpu().numpy())
                if time.perf_counter() - start > INFERENCE_SECONDS:
                    info["timeout"] = True
                    break
    except Exception as err:
        info["error"] = harness.describe_exception(err)
        return {"accuracy": [info]}, {}
    info["seconds"] = round(time.perf_counter() - start, 3)
    info["device"] = device.type
    got["predictions"] = np.concatenate(predictions) if predictions else np.zeros(0, dtype=np.int64)
    return {"accuracy": [info]}, harness.keyed("accuracy", 0, got)


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------

def run_probes(unit, obj, aspects, devices, files=None):
    if unit in PAIR_CASES:
        names = UNITS[unit]
        wanted = [a for a in aspects if a != "running"]
        infos, arrays = kinds.run_probes(names, obj, PAIR_CASES[unit], wanted)
        if "running" in aspects:
            more_infos, more = probe_bn_running(obj[names[0]])
            infos.update(more_infos)
            arrays.update(more)
        return infos, arrays
    if unit == "three_layer_convnet_numpy":
        return probe_net(obj, aspects)
    if unit == "three_layer_convnet_fn":
        return probe_fn(obj, aspects, devices)
    if unit == "init_convnet_params":
        return probe_init(obj)
    if unit in ("convnet_module", "convnet_sequential"):
        cases = {"forward": MODULE_CASES if unit == "convnet_module" else SEQ_CASES,
                 "backward": MODULE_BACKWARD if unit == "convnet_module" else SEQ_CASES}
        infos, arrays = kinds.run_module_probes(obj, cases, [a for a in aspects if a != "structure"], devices)
        if "structure" in aspects:
            more_infos, more = probe_structure(obj, unit)
            infos.update(more_infos)
            arrays.update(more)
        return infos, arrays
    if unit == "challenge":
        return probe_challenge(obj, files or {}, devices)
    raise KeyError(unit)
