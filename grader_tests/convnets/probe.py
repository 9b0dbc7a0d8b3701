"""The probe half of the `convnets` checks: runs student code, returns plain data.

Copied into the grading sandbox (grader_tests/framework/pipeline/grading.py): it must not import
`reference` or hold anything that gives an answer away. Every code unit has one entry in `PROBES`
(beside its cases below): the forward/backward pairs are the framework's generic `PairProbe`
(batchnorm adds its running statistics), the two PyTorch networks built from layers are
`ModuleProbe`s with a structure check (`LayersProbe`), and the numpy ThreeLayerConvNet, the
barebones PyTorch function, its initialisation and the challenge have small probes of their own.
"""
import dataclasses
import os
import time
import warnings

import numpy as np

from grader_tests.convnets.units import TABLE
from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.sandboxed.kinds import Case, ModuleCase, ModuleProbe, PairProbe, UnitProbe, probes_for


def _guarded(run):
    """(arrays, info) of `run()`, which fills and returns them; the student's exceptions become
    info['error'] (a verdict, not a grader failure)."""
    arrays, info = {}, {}
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run(arrays, info)
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    return arrays, info


N_OR_C_IS_1 = Hint("convnets:batch_or_channel_1", "It fails only for N = 1 or C = 1: keep every axis (no .squeeze()).")


# ---------------------------------------------------------------------------------------------
# The numpy forward/backward pairs (generic PairProbe)
# ---------------------------------------------------------------------------------------------

def conv_case(seed, x, w, stride, pad, hint=None):
    return Case(seed, (("x", x), ("w", w), ("b", (w[0],))), ({"stride": stride, "pad": pad},), hint=hint)


CONV_CASES = [
    conv_case(1, (2, 3, 5, 5), (4, 3, 3, 3), 1, 1),
    conv_case(2, (1, 1, 4, 4), (2, 1, 3, 3), 1, 0, hint=N_OR_C_IS_1),
    conv_case(3, (2, 2, 7, 5), (3, 2, 3, 3), 2, 1, hint=Hint(
        "conv:stride_2_odd_size", "It fails with stride 2 and odd H, W: H' = 1 + (H + 2 pad - HH) // stride, "
        "windows start at multiples of the stride.")),
    conv_case(4, (2, 3, 4, 6), (2, 3, 2, 4), 2, 2, hint=Hint(
        "conv:pad_2_non_square_kernel", "It fails with pad 2 and a non-square kernel: pad both sides of H and "
        "W only (not N or C), and keep HH and WW apart.")),
    conv_case(5, (3, 2, 6, 6), (1, 2, 1, 1), 1, 0, hint=Hint(
        "conv:kernel_1x1", "It fails for a 1x1 kernel and one filter.")),
    conv_case(6, (2, 1, 5, 4), (3, 1, 3, 3), 1, 1, hint=N_OR_C_IS_1),
]
CONV_BACKWARD = CONV_CASES[:4]


def pool_case(seed, x, ph, pw, stride, hint=None):
    return Case(seed, (("x", x),), ({"pool_height": ph, "pool_width": pw, "stride": stride},), hint=hint)


POOL_CASES = [
    pool_case(11, (2, 3, 4, 4), 2, 2, 2),
    pool_case(12, (1, 3, 6, 6), 3, 3, 3, hint=N_OR_C_IS_1),
    pool_case(15, (2, 1, 4, 4), 2, 2, 2, hint=N_OR_C_IS_1),
    pool_case(13, (2, 2, 5, 7), 2, 3, 1, hint=Hint(
        "pool:overlapping_windows", "It fails with overlapping windows (stride 1 < pool size) and a non-square "
        "pool: windows overlap, so gradients add up (+=).")),
    pool_case(14, (3, 2, 7, 5), 3, 1, 2, hint=Hint(
        "pool:non_square_odd_size", "It fails for a non-square pool and odd sizes: keep pool_height on H and "
        "pool_width on W; H' = 1 + (H - pool_height) // stride.")),
]


def bn_case(seed, shape, bn_param, hint=None):
    C = shape[1]
    return Case(seed, (("x", shape), ("gamma", (C,)), ("beta", (C,))), (bn_param,),
                affine=(("x", 2.5, 4.0),), hint=hint)


def _running(C, seed):
    rng = np.random.default_rng(500 + seed)
    return {"running_mean": rng.standard_normal(C), "running_var": rng.uniform(0.5, 2.0, C)}


BN_CASES = [
    bn_case(21, (4, 3, 5, 5), {"mode": "train"}),
    bn_case(22, (1, 2, 3, 4), {"mode": "train"}, hint=N_OR_C_IS_1),
    bn_case(23, (3, 4, 2, 5), {"mode": "train", "eps": 1e-3, "momentum": 0.5, **_running(4, 23)}, hint=Hint(
        "batchnorm:eps_from_bn_param", "It fails with eps=1e-3 given in bn_param: read eps (and momentum) "
        "from bn_param.")),
    bn_case(24, (2, 3, 4, 3), {"mode": "test", **_running(3, 24)}, hint=Hint(
        "batchnorm:test_mode", "It fails in test mode: normalise with bn_param's running_mean and running_var.")),
    bn_case(25, (2, 1, 3, 3), {"mode": "test", "eps": 0.1, **_running(1, 25)}, hint=Hint(
        "batchnorm:test_mode_eps", "It fails in test mode with eps=0.1: normalise with sqrt(running_var + eps).")),
]
BN_BACKWARD = BN_CASES[:3]


@dataclasses.dataclass(frozen=True)
class RunningCase:
    """Batchnorm's running statistics: `calls` train-mode calls of the forward pass on one
    bn_param (a new batch each), then one call in test mode."""
    shape: tuple
    bn_param: dict = dataclasses.field(hash=False)
    seed: int = 0
    calls: int = 3
    hint: Hint = None

    def describe(self):
        given = {key: v for key, v in self.bn_param.items() if key in ("mode", "momentum")}
        start = " and given running statistics" if "running_mean" in self.bn_param else ""
        return (f"after {self.calls} train-mode calls on x of shape {self.shape} with bn_param "
                f"{given}{start}")

    def batches(self):
        """The inputs: one batch per call (the last for test mode), gamma and beta."""
        rng = np.random.default_rng(600 + self.seed)
        C = self.shape[1]
        xs = [rng.standard_normal(self.shape) * rng.uniform(0.5, 3, (1, C, 1, 1)) + rng.uniform(-2, 2, (1, C, 1, 1))
              for _ in range(self.calls + 1)]
        return xs, rng.standard_normal(C), rng.standard_normal(C)


BN_RUNNING = [RunningCase((3, 4, 3, 3), {"mode": "train"}, 31),
              RunningCase((2, 2, 4, 5), {"mode": "train", "momentum": 0.7}, 32),
              RunningCase((1, 3, 2, 2), {"mode": "train", "momentum": 0.95, **_running(3, 33)}, 33)]


def probe_bn_running(forward, case):
    """bn_param's running statistics after each train-mode call, and the test-mode output."""
    def run(got, info):
        xs, gamma, beta = case.batches()
        param = {key: (v.copy() if isinstance(v, np.ndarray) else v) for key, v in case.bn_param.items()}
        for call in range(case.calls):
            forward(xs[call].copy(), gamma.copy(), beta.copy(), param)
            for key in ("running_mean", "running_var"):
                if key in param:
                    got[f"{key}:{call}"] = np.asarray(param[key], dtype=np.float64).copy()
        param["mode"] = "test"
        got["test_out"] = np.asarray(forward(xs[-1].copy(), gamma.copy(), beta.copy(), param)[0], dtype=np.float64)
    return _guarded(run)


class BatchnormProbe(PairProbe):
    """The generic pair's forward and backward aspects, plus `running`: the statistics the
    forward pass writes back into bn_param (`RunningCase`s)."""

    def probe_case(self, probe, aspect, case, device):
        if aspect == "running":
            return probe_bn_running(probe.defined(probe.unit.defines[0]), case)
        return super().probe_case(probe, aspect, case, device)


def gn_case(seed, shape, G, gn_param=None, hint=None):
    C = shape[1]
    return Case(seed, (("x", shape), ("gamma", (1, C, 1, 1)), ("beta", (1, C, 1, 1))),
                (G, gn_param or {}), grads=("x", "gamma", "beta"), affine=(("x", 2.0, 3.0),),
                label=f"x of shape {shape}, G = {G}{', ' + str(gn_param) if gn_param else ''}", hint=hint)


GN_CASES = [
    gn_case(41, (2, 6, 4, 5), 2),
    gn_case(42, (3, 4, 3, 3), 1, hint=Hint(
        "groupnorm:one_group", "It fails for G = 1 (one group of all channels, like layer normalisation).")),
    gn_case(43, (2, 4, 2, 3), 4, hint=Hint(
        "groupnorm:group_per_channel", "It fails for G = C (one channel per group, like instance normalisation).")),
    gn_case(44, (1, 6, 3, 2), 3, hint=N_OR_C_IS_1),
    gn_case(45, (2, 8, 2, 2), 2, {"eps": 0.01}, hint=Hint(
        "groupnorm:eps_from_gn_param", "It fails with eps=0.01 given in gn_param: read eps from it.")),
]
GN_BACKWARD = GN_CASES[:4]


# ---------------------------------------------------------------------------------------------
# The numpy ThreeLayerConvNet
# ---------------------------------------------------------------------------------------------

NET_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")
FD_ENTRIES = 6     # finite differences on this many entries of each parameter


def _net_call(kwargs):
    text = f"ThreeLayerConvNet({', '.join(f'{a}={b!r}' for a, b in kwargs.items())})"
    return text.replace("<class 'numpy.float64'>", "np.float64")


@dataclasses.dataclass(frozen=True)
class NetCase:
    """The grader's parameters and a batch: scores, loss and (backward) gradients."""
    kwargs: dict = dataclasses.field(hash=False)
    N: int = 2
    seed: int = 0
    hint: Hint = None

    def describe(self):
        return _net_call(self.kwargs)


@dataclasses.dataclass(frozen=True)
class NetStructureCase:
    """The model as the student's constructor builds it (seeded): names, shapes, dtypes, init."""
    kwargs: dict = dataclasses.field(hash=False)
    seed: int = 0
    hint: Hint = None

    def describe(self):
        return _net_call(self.kwargs)


NET_CASES = [
    NetCase(dict(input_dim=(3, 6, 6), num_filters=4, filter_size=3, hidden_dim=7, num_classes=5), 3, 51),
    NetCase(dict(input_dim=(2, 8, 4), num_filters=3, filter_size=5, hidden_dim=6, num_classes=4, reg=0.3), 2, 52,
            Hint("convnet_numpy:reg", "It fails with reg > 0: the loss adds 0.5 * reg * sum(W**2) for W1, W2, W3, "
                 "their gradients reg * W.")),
    NetCase(dict(input_dim=(1, 4, 4), num_filters=2, filter_size=3, hidden_dim=5, num_classes=3, reg=0.1), 1, 53,
            Hint("convnet_numpy:batch_or_channel_1", "It fails for N = 1 or one input channel: keep every axis.")),
]
NET_STRUCTURE = [
    NetStructureCase(dict(), 61),
    NetStructureCase(dict(input_dim=(1, 12, 8), num_filters=16, filter_size=5, hidden_dim=64, num_classes=7,
                          weight_scale=0.05, dtype=np.float64), 62),
]


def net_inputs(case):
    """(params, X, y, entries) of a `NetCase`: the grader's parameters, the batch, its labels and
    the entries of each parameter checked by finite differences."""
    rng = np.random.default_rng(700 + case.seed)
    C, H, W = case.kwargs["input_dim"]
    kw = case.kwargs
    F, k, hid, K = kw["num_filters"], kw["filter_size"], kw["hidden_dim"], kw["num_classes"]
    shapes = {"W1": (F, C, k, k), "b1": (F,), "W2": (F * (H // 2) * (W // 2), hid), "b2": (hid,),
              "W3": (hid, K), "b3": (K,)}
    params = {name: 0.4 * rng.standard_normal(s) for name, s in shapes.items()}
    X = rng.standard_normal((case.N, C, H, W))
    y = rng.integers(0, K, case.N)
    entries = {name: [tuple(int(rng.integers(0, d)) for d in s) for _ in range(FD_ENTRIES)]
               for name, s in shapes.items()}
    return params, X, y, entries


def _fd_entry(model, X, y, name, idx, h=1e-6):
    w = model.params[name]
    old = w[idx]
    w[idx] = old + h
    plus = float(model.loss(X.copy(), y.copy())[0])
    w[idx] = old - h
    minus = float(model.loss(X.copy(), y.copy())[0])
    w[idx] = old
    return (plus - minus) / (2 * h)


def probe_net_structure(cls, case):
    def run(got, info):
        np.random.seed(case.seed)
        params = getattr(cls(**case.kwargs), "params", None)
        if not isinstance(params, dict):
            raise TypeError("the model has no dict self.params")
        info["keys"] = sorted(str(key) for key in params)
        for name in NET_KEYS:
            if name in params:
                value = np.asarray(params[name])
                info[f"dtype:{name}"] = str(value.dtype)
                got[name] = value.astype(np.float64)
    return _guarded(run)


def probe_net_values(cls, case, backward):
    def run(got, info):
        params, X, y, entries = net_inputs(case)
        model = cls(**{**case.kwargs, "dtype": np.float64})
        model.params = {k: v.copy() for k, v in params.items()}
        got["scores"] = np.asarray(model.loss(X.copy()), dtype=np.float64)
        loss, grads = model.loss(X.copy(), y.copy())
        got["loss"] = np.asarray(float(loss))
        if not backward:
            return
        for name in NET_KEYS:
            if name in grads:
                got[f"grad:{name}"] = np.asarray(grads[name], dtype=np.float64)
                got[f"num:{name}"] = np.array([_fd_entry(model, X, y, name, idx) for idx in entries[name]])
    return _guarded(run)


class NetProbe(UnitProbe):
    """The numpy ThreeLayerConvNet: `structure` on `NetStructureCase`s, `forward` and `backward`
    on `NetCase`s (the grader's parameters put into self.params)."""

    def probe_case(self, probe, aspect, case, device):
        if aspect == "structure":
            return probe_net_structure(probe.obj, case)
        return probe_net_values(probe.obj, case, backward=aspect == "backward")


# ---------------------------------------------------------------------------------------------
# PyTorch: the barebones function and its initialisation
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class FnCase:
    """An input batch and the six parameters of `three_layer_convnet`, drawn from a seed."""
    N: int
    C: int
    H: int
    W: int
    channel_1: int
    channel_2: int
    classes: int
    dtype: str
    seed: int
    hint: Hint = None

    def describe(self):
        return (f"x of shape ({self.N}, {self.C}, {self.H}, {self.W}), channel_1 {self.channel_1}, channel_2 "
                f"{self.channel_2}, {self.classes} classes, {self.dtype}")


FN_CASES = [
    FnCase(2, 3, 8, 8, 4, 3, 5, "float64", 71),
    FnCase(1, 3, 6, 6, 2, 2, 3, "float64", 72, Hint(
        "convnet_fn:batch_size_1", "It fails only for N = 1: flatten with x.reshape(N, -1) (or flatten(1)), "
        "never a hard-coded batch size.")),
    FnCase(3, 1, 5, 7, 3, 2, 4, "float32", 73, Hint(
        "convnet_fn:one_channel_odd_size", "It fails for one input channel and odd, non-square images.")),
    FnCase(2, 3, 4, 4, 2, 4, 10, "float32", 74),
]
FN_BACKWARD = FN_CASES[:3]
PARAM_NAMES = ("conv_w1", "conv_b1", "conv_w2", "conv_b2", "fc_w", "fc_b")


def fn_tensors(case, device):
    import torch
    gen = torch.Generator().manual_seed(800 + case.seed)
    c1, c2, K = case.channel_1, case.channel_2, case.classes
    shapes = [(case.N, case.C, case.H, case.W), (c1, case.C, 5, 5), (c1,), (c2, c1, 3, 3), (c2,),
              (c2 * case.H * case.W, K), (K,)]
    scales = [1.0, 0.3, 0.3, 0.3, 0.3, 0.1, 0.3]
    dtype = getattr(torch, case.dtype)
    tensors = [(torch.randn(*s, generator=gen, dtype=torch.float64) * a).to(device=device, dtype=dtype)
               for s, a in zip(shapes, scales)]
    upstream = torch.randn(case.N, K, generator=gen, dtype=torch.float64).to(device=device, dtype=dtype)
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


class FnProbe(UnitProbe):
    """`three_layer_convnet(x, params)`: every case on every grading device; for the forward
    values also one shapes-only pass on torch's 'meta' device, which catches tensors created on a
    fixed device even without a GPU."""

    def plan(self, aspect, devices):
        pairs = [(case, device) for case in self.cases.get(aspect, []) for device in devices]
        return pairs + ([(self.cases[aspect][0], "meta")] if aspect == "forward" else [])

    def probe_case(self, probe, aspect, case, device):
        import torch

        def run(got, info):
            got.update(drive_fn(probe.obj, case, torch.device(device), aspect == "backward"))
        return _guarded(run)


@dataclasses.dataclass(frozen=True)
class InitCase:
    """One call of `init_convnet_params`, seeded."""
    channel_1: int
    channel_2: int
    classes: int
    in_channels: int
    height: int
    width: int
    seed: int
    hint: Hint = None

    def describe(self):
        return (f"init_convnet_params({self.channel_1}, {self.channel_2}, {self.classes}, in_channels="
                f"{self.in_channels}, height={self.height}, width={self.width})")


INIT_CASES = [InitCase(32, 16, 10, 3, 16, 16, 81), InitCase(8, 24, 5, 1, 10, 6, 82)]


def probe_init(fn, case):
    import torch

    def run(got, info):
        torch.manual_seed(case.seed)
        params = list(fn(case.channel_1, case.channel_2, case.classes, in_channels=case.in_channels,
                         height=case.height, width=case.width))
        info["count"] = len(params)
        for j, p in enumerate(params):
            if not isinstance(p, torch.Tensor):
                info[f"type:{j}"] = type(p).__name__
                continue
            info[f"requires_grad:{j}"] = bool(p.requires_grad)
            info[f"leaf:{j}"] = bool(p.is_leaf)
            info[f"dtype:{j}"] = str(p.dtype).replace("torch.", "")
            got[f"p{j}"] = p.detach().cpu().double().numpy()
    return _guarded(run)


# ---------------------------------------------------------------------------------------------
# PyTorch: the nn.Module and the nn.Sequential (generic ModuleProbe plus their structure)
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class StructureCase:
    """The network as the student builds it for `args` (seeded): its layers and initialisation.
    `in_channels`: the first convolution's input channels for these arguments."""
    name: str
    args: tuple
    in_channels: int
    seed: int = 101
    hint: Hint = None

    def describe(self):
        return f"{self.name}{self.args}"


def probe_structure(factory, case):
    import torch

    def run(got, info):
        torch.manual_seed(case.seed)
        module = factory(*case.args)
        info["type"] = type(module).__name__
        info["is_module"] = isinstance(module, torch.nn.Module)
        info["is_sequential"] = isinstance(module, torch.nn.Sequential)
        if not info["is_module"]:
            return
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
    return _guarded(run)


class LayersProbe(ModuleProbe):
    """A network built from PyTorch layers (the nn.Module class, or the function that returns the
    nn.Sequential): the generic module probe on its `ModuleCase`s and the contract checks every
    module unit gets, plus `structure` on one `StructureCase` (once, on no device)."""

    def plan(self, aspect, devices):
        if aspect == "structure":
            return [(case, None) for case in self.cases[aspect]]
        return super().plan(aspect, devices)

    def probe_case(self, probe, aspect, case, device):
        if aspect == "structure":
            return probe_structure(probe.obj, case)
        return super().probe_case(probe, aspect, case, device)


MODULE_HINT = Hint("convnet_module:layers", "Check conv1 (5x5, padding 2) - ReLU - conv2 (3x3, padding 1) - ReLU - "
                   "flatten each image (x.flatten(1)) - fc, and return fc's output as it is (no softmax, no dropout).")
MODULE_CASES = [
    ModuleCase(91, (3, 4, 3, 5), (("x", (2, 3, 32, 32)),), hint=MODULE_HINT),
    ModuleCase(92, (1, 2, 2, 3), (("x", (1, 1, 32, 32)),), dtype="float32", hint=Hint(
        "convnet_module:batch_or_channel_1", "It fails for N = 1 or one input channel: flatten with x.flatten(1) "
        "or x.reshape(x.shape[0], -1).")),
    ModuleCase(93, (3, 3, 2, 10), (("x", (3, 3, 32, 32)),), dtype="float32", hint=MODULE_HINT),
]
MODULE_BACKWARD = MODULE_CASES[:2]
SEQUENTIAL_HINT = Hint("convnet_sequential:layers", "Check a Conv2d (5x5, padding 2) - ReLU - a Conv2d (3x3, "
                       "padding 1) - ReLU - flatten each image (x.flatten(1)) - Linear, and return the Linear "
                       "layer's output as it is (no softmax, no dropout).")
SEQ_CASES = [
    ModuleCase(94, (4, 3, 5), (("x", (2, 3, 32, 32)),), hint=SEQUENTIAL_HINT),
    ModuleCase(95, (2, 2, 3), (("x", (1, 3, 32, 32)),), dtype="float32", hint=Hint(
        "convnet_sequential:batch_size_1", "It fails only for N = 1: flatten with nn.Flatten() or "
        "x.reshape(x.shape[0], -1).")),
]


# ---------------------------------------------------------------------------------------------
# The challenge
# ---------------------------------------------------------------------------------------------

CHECKPOINT = "best_model.pt"
HELDOUT = "heldout_images"
INFERENCE_SECONDS = 20.0     # the whole held-out set, on the first grading device
MAX_CHECKPOINT_BYTES = 20 * 2**20   # larger checkpoints are not loaded
BATCH = 250


@dataclasses.dataclass(frozen=True)
class ChallengeCase:
    """The submitted checkpoint loaded into the student's model, run on the held-out images."""
    hint: Hint = None

    def describe(self):
        return "the held-out images"


def probe_challenge(build, files, devices):
    """The model's predictions on the held-out images (`files`: the submitted checkpoint and the
    grader's images), or why there are none: info['checkpoint'] ('missing', 'too large',
    'unreadable', 'incompatible'), info['heldout'], info['error'], info['timeout']."""
    import torch
    info, got = {}, {}
    path, images = files.get(CHECKPOINT), files.get(HELDOUT)
    try:
        torch.manual_seed(0)
        model = build()
        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"build_best_model() returned {type(model).__name__}, not an nn.Module")
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
        return got, info
    if path is None:
        info["checkpoint"] = "missing"
        return got, info
    info["checkpoint_bytes"] = os.path.getsize(path)
    if info["checkpoint_bytes"] > MAX_CHECKPOINT_BYTES:
        info["checkpoint"] = "too large"
        return got, info
    if images is None:
        info["heldout"] = "missing"
        return got, info
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        info["checkpoint"] = "unreadable"
        info["reason"] = harness.describe_exception(err, limit=300)
        return got, info
    try:
        if not isinstance(state, dict):
            raise TypeError(f"the checkpoint holds a {type(state).__name__}, not a state_dict")
        model.load_state_dict(state)
    except Exception as err:
        info["checkpoint"] = "incompatible"
        info["reason"] = harness.describe_exception(err, limit=300)
        return got, info
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
        return got, info
    info["seconds"] = round(time.perf_counter() - start, 3)
    info["device"] = device.type
    got["predictions"] = np.concatenate(predictions) if predictions else np.zeros(0, dtype=np.int64)
    return got, info


class ChallengeProbe(UnitProbe):
    """`build_best_model()` with the submitted checkpoint (`probe.files`), on the first grading device."""

    def probe_case(self, probe, aspect, case, device):
        return probe_challenge(probe.obj, probe.files or {}, probe.devices)


# ---------------------------------------------------------------------------------------------
# The units' probes
# ---------------------------------------------------------------------------------------------

PROBES = probes_for(
    TABLE,
    conv_naive={"cases": {"forward": CONV_CASES, "backward": CONV_BACKWARD}},
    max_pool_naive={"cases": {"forward": POOL_CASES, "backward": POOL_CASES}},
    spatial_batchnorm=BatchnormProbe(cases={"forward": BN_CASES, "backward": BN_BACKWARD, "running": BN_RUNNING}),
    spatial_groupnorm={"cases": {"forward": GN_CASES, "backward": GN_BACKWARD}},
    three_layer_convnet_numpy=NetProbe(cases={"structure": NET_STRUCTURE, "forward": NET_CASES,
                                              "backward": NET_CASES}),
    three_layer_convnet_fn=FnProbe(cases={"forward": FN_CASES, "backward": FN_BACKWARD}),
    init_convnet_params=UnitProbe(cases={"structure": INIT_CASES},
                                  probe_case=lambda probe, aspect, case, device: probe_init(probe.obj, case)),
    convnet_module=LayersProbe(cases={
        "forward": MODULE_CASES, "backward": MODULE_BACKWARD,
        "structure": [StructureCase("ThreeLayerConvNet", (3, 32, 16, 10), in_channels=3)]}),
    convnet_sequential=LayersProbe(cases={
        "forward": SEQ_CASES, "backward": SEQ_CASES,
        "structure": [StructureCase("build_sequential_convnet", (32, 16, 10), in_channels=3)]}),
    challenge=ChallengeProbe(cases={"accuracy": [ChallengeCase()]}),
)
