"""The probe half of the `recurrent_cells` checks: runs student code, returns plain data.

This module is copied into the grading sandbox (see grader_tests/framework/pipeline/grading.py), so it
must not import `reference` or contain anything that gives an answer away: it builds the
student's modules with the grader's seeds, feeds them the grader's inputs and records outputs,
gradients and parameters as numpy arrays, plus a small JSON-able `info` dict. The judge half
(judge.py) recomputes everything with the reference. The from-scratch rule is the framework's
(grader_tests/framework/contract/rules.py, declared in units.py).
"""
import dataclasses
import warnings

import numpy as np
import torch
import torch.nn as nn

from grader_tests.framework.sandboxed import harness
from grader_tests.recurrent_cells.units import TABLE

UNITS = {u.id: u.defines for u in TABLE.code_units}
MODES = ("LSTM", "GRU", "RNN_TANH", "RNN_RELU")


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Case:
    """One probe input. Cells use B, D, H, bias, dtype, hx; models also mode, T, L."""
    B: int
    D: int
    H: int
    bias: bool = True
    dtype: str = "float64"
    hx: str = "given"          # cells: 'given' or 'none'
    mode: str = "LSTM"         # models
    T: int = 5
    L: int = 2
    seed: int = 0
    hint: str = ""             # shown when this is the first failing case

    def describe(self, unit):
        if unit in ("lstm_cell", "gru_cell"):
            return (f"input of shape ({self.B}, {self.D}), hidden_size {self.H}, "
                    f"hx {'given' if self.hx == 'given' else 'None'}, bias={self.bias}, {self.dtype}")
        return (f"mode '{self.mode}', input of shape ({self.B}, {self.T}, {self.D}), hidden_size "
                f"{self.H}, num_layers {self.L}, bias={self.bias}, {self.dtype}")


SQUEEZE_HINT = ("It fails only with batch size 1: avoid .squeeze() (it also drops the batch axis); "
                "index or chunk along dim=1 instead.")
HX_NONE_HINT = ("It fails only with hx=None: the initial state must be zeros with the input's "
                "batch size, dtype and device (e.g. input.new_zeros(B, hidden_size)).")
DTYPE_HINT = ("It fails only for {dtype}: create new tensors with the input's dtype and device "
              "(input.new_zeros, torch.zeros(..., dtype=input.dtype, device=input.device)).")
BIAS_HINT = "It fails only with bias=False: pass the bias flag on to every nn.Linear / cell."

CELL_CASES = [
    Case(B=4, D=7, H=5, seed=11),
    Case(B=4, D=7, H=5, hx="none", seed=12, hint=HX_NONE_HINT),
    Case(B=1, D=7, H=5, seed=13, hint=SQUEEZE_HINT),
    Case(B=1, D=3, H=4, hx="none", seed=14, hint=SQUEEZE_HINT),
    Case(B=3, D=6, H=5, bias=False, seed=15, hint=BIAS_HINT),
    Case(B=5, D=3, H=8, dtype="float32", hx="none", seed=16, hint=DTYPE_HINT),
    Case(B=2, D=6, H=1, seed=17, hint="It fails only with hidden_size 1: avoid .squeeze()."),
    Case(B=6, D=9, H=9, dtype="float32", seed=18, hint=DTYPE_HINT),
]
CELL_BACKWARD_CASES = [CELL_CASES[0], CELL_CASES[2], CELL_CASES[4], CELL_CASES[1]]

_MODEL_SQUEEZE = SQUEEZE_HINT.replace("index or chunk along dim=1 instead", "keep the (B, H) shape")
MODEL_CASES = (
    [Case(mode=m, B=3, T=5, D=4, H=6, L=2, seed=21 + k) for k, m in enumerate(MODES)]
    + [Case(mode=m, B=1, T=4, D=3, H=5, L=2, seed=31 + k, hint=_MODEL_SQUEEZE)
       for k, m in enumerate(MODES)]
    + [Case(mode=m, B=2, T=1, D=4, H=3, L=2, seed=41 + k,
            hint="It fails only for sequence length 1.") for k, m in enumerate(MODES)]
    + [Case(mode="LSTM", B=2, T=3, D=5, H=4, L=1, seed=51, hint="It fails only with num_layers 1."),
       Case(mode="GRU", B=2, T=6, D=5, H=4, L=3, seed=52,
            hint="It fails with num_layers 3: layer l > 0 must read layer l-1's new hidden state."),
       Case(mode="RNN_TANH", B=2, T=4, D=2, H=7, L=3, seed=53,
            hint="It fails with num_layers 3: layer l > 0 must read layer l-1's new hidden state."),
       Case(mode="LSTM", B=3, T=4, D=4, H=5, L=2, bias=False, seed=54, hint=BIAS_HINT),
       Case(mode="RNN_RELU", B=3, T=4, D=4, H=5, L=2, bias=False, seed=55, hint=BIAS_HINT)]
    + [Case(mode=m, B=3, T=4, D=5, H=4, L=2, dtype="float32", seed=61 + k, hint=DTYPE_HINT)
       for k, m in enumerate(MODES)]
)
MODEL_BACKWARD_CASES = [c for c in MODEL_CASES if c.seed in (21, 22, 23, 24, 31, 52, 54)]

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def make_inputs(unit, case, device):
    """The grader's inputs for `case`: x, the cell state(s) and the upstream gradients."""
    gen = torch.Generator().manual_seed(1000 + case.seed)
    dtype = _DTYPES[case.dtype]

    def randn(*shape):
        return torch.randn(*shape, generator=gen, dtype=torch.float64).to(device=device, dtype=dtype)

    if unit in ("lstm_cell", "gru_cell"):
        inputs = {"x": randn(case.B, case.D)}
        if case.hx == "given":
            inputs["h"] = randn(case.B, case.H)
            if unit == "lstm_cell":
                inputs["c"] = randn(case.B, case.H)
        inputs["g_h"] = randn(case.B, case.H)
        if unit == "lstm_cell":
            inputs["g_c"] = randn(case.B, case.H)
        return inputs
    return {"x": randn(case.B, case.T, case.D), "g_out": randn(case.B, 3)}


OUTPUT_SIZE = 3


def construct(unit, cls, case):
    """Build a module of `cls` for `case` with the grader's seed (init is the student's own)."""
    torch.manual_seed(case.seed)
    if unit in ("lstm_cell", "gru_cell"):
        return cls(case.D, case.H, case.bias)
    return cls(case.mode, case.D, case.H, case.L, case.bias, OUTPUT_SIZE)


# ---------------------------------------------------------------------------------------------
# Probe: runs student code; returns plain data only
# ---------------------------------------------------------------------------------------------

def _np(t):
    return t.detach().to("cpu").numpy().copy()


def probe(unit, cls, case, device, backward=True):
    """Run the student's `cls` on `case`; returns (arrays, info) with no live objects.

    arrays: 'param:<name>' (the student's initial parameters), 'out:h'/'out:c'/'out:y',
    'out2:*' (a second call on the same input), 'grad:<input>' and 'grad:param:<name>'.
    info: 'error', 'out_dtype', 'out_device', 'modified_inputs', 'param_names', ...
    """
    arrays, info = {}, {}
    previous_det = torch.are_deterministic_algorithms_enabled()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # fills torch.empty / torch.Tensor(n, m) with NaN, exposing uninitialised states
            torch.use_deterministic_algorithms(True, warn_only=True)
            module = construct(unit, cls, case)
            if not isinstance(module, nn.Module):
                info["error"] = f"{UNITS[unit][0]}(...) did not build an nn.Module"
                return arrays, info
            module = module.to(device=device, dtype=_DTYPES[case.dtype])
            info["param_names"] = [n for n, _ in module.named_parameters()]
            info.update(_structure_info(unit, module, case))
            if device.type != "meta":  # meta tensors carry shapes only
                for name, p in module.named_parameters():
                    arrays[f"param:{name}"] = _np(p)
            _run(unit, module, case, device, backward, arrays, info)
    except Exception as err:  # the student's code raised: a verdict, not a grader crash
        info["error"] = harness.describe_exception(err)
    finally:
        torch.use_deterministic_algorithms(previous_det)
    return arrays, info


def _structure_info(unit, module, case):
    info = {}
    if unit in ("rnn_model", "bidir_model"):
        for attr in ("rnn_cell_list", "rnn_cell_list_rev", "fc"):
            sub = getattr(module, attr, None)
            info[f"has:{attr}"] = isinstance(sub, nn.Module)
        cells = getattr(module, "rnn_cell_list", None)
        info["num_cells"] = len(cells) if isinstance(cells, nn.ModuleList) else -1
        rev = getattr(module, "rnn_cell_list_rev", None)
        if isinstance(cells, nn.Module) and isinstance(rev, nn.Module):
            fwd_ptrs = {p.data_ptr() for p in cells.parameters()}
            info["shared_rev"] = any(p.data_ptr() in fwd_ptrs for p in rev.parameters())
    return info


def _run(unit, module, case, device, backward, arrays, info):
    inputs = make_inputs(unit, case, device)
    originals = {k: v.clone() for k, v in inputs.items()}
    x = inputs["x"].requires_grad_(backward)
    if unit in ("lstm_cell", "gru_cell"):
        hx = None
        if case.hx == "given":
            h = inputs["h"].requires_grad_(backward)
            hx = (h, inputs["c"].requires_grad_(backward)) if unit == "lstm_cell" else h
        out = module(x, hx)
        if unit == "lstm_cell":
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                info["error"] = "forward must return a tuple (h_next, c_next)"
                return
            outs = {"h": out[0], "c": out[1]}
        else:
            outs = {"h": out}
        grads_from = {"h": inputs["g_h"], "c": inputs.get("g_c")}
    else:
        out = module(x)
        outs = {"y": out}
        grads_from = {"y": inputs["g_out"]}
        again = module(x.detach())
        if isinstance(again, torch.Tensor) and device.type != "meta":
            arrays["out2:y"] = _np(again)
    for key, value in outs.items():
        if not isinstance(value, torch.Tensor):
            info["error"] = f"forward returned {type(value).__name__} where a tensor was expected"
            return
        info[f"out_shape:{key}"] = list(value.shape)
        if device.type == "meta":
            info[f"out_device:{key}"] = value.device.type
            continue
        arrays[f"out:{key}"] = _np(value)
        info[f"out_dtype:{key}"] = str(value.dtype).replace("torch.", "")
        info[f"out_device:{key}"] = value.device.type
    if device.type == "meta":
        return
    info["modified_inputs"] = sorted(k for k, v in inputs.items()
                                     if not torch.equal(v.detach(), originals[k]))
    if backward:
        loss = sum((outs[k] * grads_from[k]).sum() for k in outs
                   if outs[k].shape == grads_from[k].shape)
        if not isinstance(loss, torch.Tensor):
            return  # shapes wrong: the forward comparison reports it
        loss.backward()
        for name in ("x", "h", "c"):
            t = inputs.get(name)
            if t is not None and t.requires_grad:
                arrays[f"grad:{name}"] = _np(t.grad) if t.grad is not None else np.zeros(t.shape)
        for name, p in module.named_parameters():
            if p.grad is not None:
                arrays[f"grad:param:{name}"] = _np(p.grad)


STRUCTURE_CASES = {
    "lstm_cell": [Case(B=2, D=7, H=64, seed=71), Case(B=2, D=5, H=16, bias=False, seed=72)],
    "gru_cell": [Case(B=2, D=7, H=64, seed=71), Case(B=2, D=5, H=16, bias=False, seed=72)],
    "rnn_model": [Case(mode=m, B=2, T=2, D=7, H=48, L=3, seed=80 + k) for k, m in enumerate(MODES)],
    "bidir_model": [Case(mode=m, B=2, T=2, D=7, H=48, L=2, seed=90 + k) for k, m in enumerate(MODES)],
}


META_CASES = {
    "lstm_cell": [CELL_CASES[1], CELL_CASES[3]],
    "gru_cell": [CELL_CASES[1], CELL_CASES[3]],
    "rnn_model": MODEL_CASES[:4],
    "bidir_model": MODEL_CASES[:4],
}


def cases_for(unit, aspect):
    if aspect == "structure":
        return STRUCTURE_CASES[unit]
    cells = unit in ("lstm_cell", "gru_cell")
    if aspect == "forward":
        return CELL_CASES if cells else MODEL_CASES
    return CELL_BACKWARD_CASES if cells else MODEL_BACKWARD_CASES


def plan(unit, aspect, devices):
    """The (case, device) pairs of one hidden test, identical on the probe and judge sides."""
    pairs = [(case, torch.device(d)) for case in cases_for(unit, aspect) for d in devices]
    if aspect == "forward":  # shapes-only pass on torch's meta device: catches fixed-device code
        pairs += [(case, torch.device("meta")) for case in META_CASES[unit]]
    return pairs


def probe_invalid_mode(cls):
    """What constructing with an unknown mode does: 'ValueError', another exception, or 'none'."""
    try:
        cls("LSTMX", 3, 4, 1, True, 2)
    except ValueError:
        return "ValueError"
    except Exception as err:  # the student's constructor failed differently
        return type(err).__name__
    return "none"


def run_probes(unit, cls, aspects, devices):
    """Every probe of `unit` for `aspects`: ({aspect: [info, ...]}, {key: array}).

    Array keys are '<aspect>/<k>/<name>' for the k-th (case, device) of `plan`.
    """
    infos, arrays = {}, {}
    for aspect in aspects:
        infos[aspect] = []
        for k, (case, device) in enumerate(plan(unit, aspect, devices)):
            got, info = probe(unit, cls, case, device, backward=(aspect == "backward"))
            infos[aspect].append(info)
            arrays.update(harness.keyed(aspect, k, got))
        if aspect == "structure" and unit in ("rnn_model", "bidir_model"):
            infos[aspect].append({"invalid_mode": probe_invalid_mode(cls)})
    return infos, arrays
