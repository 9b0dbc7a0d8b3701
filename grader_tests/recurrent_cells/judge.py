"""The judge of `recurrent_cells` (SPEC 4.1): recompute with `reference/` and compare.

Every check runs the student's answer cell alone in the given code's namespace; units that
build on others (units.py) get the *reference* cells there, so a bug in a cell is never charged
twice. A hidden test is a list of (case, device) probes (`probe.plan`); the probe half runs the
student's code in the sandbox and returns plain data; `judge` recomputes with the reference,
using the student's own parameters copied by name, and returns None or the student-facing
message naming the likely bug. The from-scratch rule is checked by the framework (rules.py).
"""
import inspect
import itertools
import math

import numpy as np
import torch
import torch.nn.functional as F

from reference import recurrent_cells as ref
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.contract.numerics import (
    INIT_BOUND_SLACK, UNIFORM_MIN_SAMPLES_TORCH, UNIFORM_STD_RATIO, close, max_abs_error,
    std_ratio_uniform)
from grader_tests.recurrent_cells.probe import (
    DTYPE_HINT, OUTPUT_SIZE, UNITS, make_inputs, plan, _DTYPES, _np, _run)
from grader_tests.recurrent_cells.units import TABLE

GATE_NAMES = {"lstm_cell": ("input", "forget", "cell candidate", "output"),
              "gru_cell": ("reset", "update", "new")}

GIVEN_HEADER = """import math
import os
import random
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
"""


def given_source(unit):
    """Code that builds the namespace an answer cell runs in: the given code's imports and
    BasicRNNCell, plus the reference versions of the units it builds on (SPEC 3, isolation)."""
    row = TABLE.unit(unit)
    if not row.is_code:
        return GIVEN_HEADER
    parts = [GIVEN_HEADER, inspect.getsource(ref._uniform_init), inspect.getsource(ref.BasicRNNCell)]
    for dependency in row.builds_on:
        parts += [inspect.getsource(getattr(ref, name)) for name in TABLE.unit(dependency).defines]
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Judge: recompute with the reference and compare (plain data in, message out)
# ---------------------------------------------------------------------------------------------

def _reference_module(unit, case, params, device):
    torch.manual_seed(0)
    if unit == "lstm_cell":
        module = ref.LSTMCell(case.D, case.H, case.bias)
    elif unit == "gru_cell":
        module = ref.GRUCell(case.D, case.H, case.bias)
    elif unit == "rnn_model":
        module = ref.RNNModel(case.mode, case.D, case.H, case.L, case.bias, OUTPUT_SIZE)
    else:
        module = ref.BidirRecurrentModel(case.mode, case.D, case.H, case.L, case.bias, OUTPUT_SIZE)
    module = module.to(device=device, dtype=_DTYPES[case.dtype])
    expected = dict(module.named_parameters())
    missing = [n for n in expected if n not in params]
    if missing:
        return None, missing
    with torch.no_grad():
        for name, p in expected.items():
            value = torch.as_tensor(params[name])
            if tuple(value.shape) != tuple(p.shape):
                return None, [f"{name} (shape {tuple(value.shape)}, expected {tuple(p.shape)})"]
            p.copy_(value)
    return module, []


def reference_outputs(unit, module, case, device, backward=True):
    """The reference's outputs (and gradients) for `case` as numpy arrays: the probe's own
    driver (`recurrent_cells_probe._run`) feeds the reference module the same inputs."""
    arrays, info = {}, {}
    _run(unit, module, case, device, backward, arrays, info)
    return arrays


def judge(unit, aspect, case, arrays, info, device):
    """None if the probe's data agrees with the reference on `case`, else a message."""
    where = f"for {case.describe(unit)} on {device.type}"
    if device.type == "meta":
        return _judge_device_agnostic(unit, case, info)
    if info.get("error", "").startswith("NotImplementedError"):
        return f"{UNITS[unit][0]} has not been answered yet (it raises NotImplementedError)."
    if "error" in info:
        hint = f" {case.hint.format(dtype=case.dtype)}" if case.hint else ""
        return f"{UNITS[unit][0]} raised {info['error']} {where}.{hint}"
    if aspect == "structure":
        return _judge_structure(unit, case, arrays, info)
    params = {k[len("param:"):]: v for k, v in arrays.items() if k.startswith("param:")}
    module, missing = _reference_module(unit, case, params, device)
    if module is None:
        return (f"{UNITS[unit][0]} has no parameter {missing[0]}: keep the attribute names of "
                f"the contract (x2h, h2h{', rnn_cell_list, fc' if 'model' in unit else ''}).")
    expected = reference_outputs(unit, module, case, device, backward=(aspect == "backward"))
    outputs = [k for k in expected if k.startswith("out:")]
    for key in outputs:
        name = key[4:]
        label = {"h": "h_next", "c": "c_next", "y": "the logits"}[name]
        got = arrays.get(key)
        if got is None or got.shape != expected[key].shape:
            shape = None if got is None else got.shape
            return (f"{label} has shape {shape}, expected {expected[key].shape} {where}."
                    + (f" {case.hint}" if case.hint else ""))
        if info.get(f"out_dtype:{name}") != case.dtype or info.get(f"out_device:{name}") != device.type:
            return (f"{label} is {info.get(f'out_dtype:{name}')} on {info.get(f'out_device:{name}')} "
                    f"{where}: outputs must keep the input's dtype and device. "
                    + DTYPE_HINT.format(dtype=case.dtype))
        if not close(got, expected[key], case.dtype):
            err = max_abs_error(got, expected[key])
            hint = case.hint.format(dtype=case.dtype) if case.hint else diagnose(
                unit, case, params, arrays, device)
            nan = " (it contains NaN: is an initial state left uninitialised?)" if np.isnan(got).any() else ""
            return (f"{label} differs from the expected value {where} (max abs error "
                    f"{err:.3g}){nan}. {hint}").strip()
    if "out2:y" in arrays and not close(arrays["out2:y"], expected["out:y"], case.dtype):
        return (f"Calling the model twice on the same input gave different logits {where}: "
                "every call must start from zero states (don't keep states in self).")
    if info.get("modified_inputs"):
        return (f"Your forward pass modified its input(s) {', '.join(info['modified_inputs'])} in "
                f"place {where}: work on new tensors.")
    if aspect == "backward":
        for key in sorted(k for k in expected if k.startswith("grad:")):
            got = arrays.get(key)
            what = key.replace("grad:param:", "the gradient of ").replace("grad:", "the gradient of input ")
            if got is None:
                return (f"{what} is missing {where}: the output is not connected to it in the "
                        "autograd graph (no .detach(), .data or new tensors built from values).")
            if not close(got, expected[key], case.dtype):
                return (f"{what} differs from the expected value {where} (max abs error "
                        f"{max_abs_error(got, expected[key]):.3g}), while the forward values agree: "
                        "look for .detach(), .data, in-place updates or values copied out of the graph.")
    return None


def _judge_device_agnostic(unit, case, info):
    """The probe ran on torch's 'meta' device (shapes only): any tensor the student's code made
    on a fixed device (torch.zeros(B, H) is on the CPU) shows up here, even without a GPU."""
    where = f"for {case.describe(unit)} with the module and input on a non-CPU device"
    if "error" in info:
        return (f"{UNITS[unit][0]} raised {info['error']} {where}: your code creates a tensor on "
                "a fixed device. Create new tensors on the input's device (input.new_zeros(...), "
                "torch.zeros(..., device=input.device)); this is what breaks on a GPU.")
    for key, dev in sorted(info.items()):
        if key.startswith("out_device:") and dev != "meta":
            return f"The output is on {dev} {where}: it must stay on the input's device."
    return None


def _judge_structure(unit, case, arrays, info):
    name = UNITS[unit][0]
    if unit in ("lstm_cell", "gru_cell"):
        k = 4 if unit == "lstm_cell" else 3
        shapes = {"x2h.weight": (k * case.H, case.D), "h2h.weight": (k * case.H, case.H)}
        if case.bias:
            shapes.update({"x2h.bias": (k * case.H,), "h2h.bias": (k * case.H,)})
        got = {n[6:]: arrays[n].shape for n in arrays if n.startswith("param:")}
        if set(got) != set(shapes):
            return (f"{name}({case.D}, {case.H}, bias={case.bias}) has parameters "
                    f"{sorted(got)}; the contract asks for exactly {sorted(shapes)} "
                    f"(self.x2h and self.h2h, nn.Linear layers with bias={case.bias}).")
        for n, shape in shapes.items():
            if tuple(got[n]) != shape:
                return f"{name}.{n} has shape {tuple(got[n])}, expected {shape}."
        return _judge_init(name, arrays, case.H, prefix="")
    # models
    for attr in ("rnn_cell_list", "fc") + (("rnn_cell_list_rev",) if unit == "bidir_model" else ()):
        if not info.get(f"has:{attr}"):
            return f"{name} has no submodule self.{attr}, which the contract names."
    if info.get("num_cells") != case.L:
        return (f"{name} with num_layers={case.L} has {info.get('num_cells')} cells in "
                "self.rnn_cell_list (an nn.ModuleList with one cell per layer).")
    if info.get("shared_rev"):
        return ("self.rnn_cell_list_rev shares parameters with self.rnn_cell_list: the backward "
                "direction needs its own cells.")
    fc_in = case.H * (2 if unit == "bidir_model" else 1)
    if "param:fc.bias" not in arrays:
        return f"{name}.fc has no bias: self.fc = nn.Linear({fc_in}, output_size) keeps its bias."
    if arrays["param:fc.weight"].shape != (OUTPUT_SIZE, fc_in):
        return (f"{name}.fc.weight has shape {arrays['param:fc.weight'].shape}, expected "
                f"{(OUTPUT_SIZE, fc_in)}.")
    return _judge_init(name, arrays, case.H, prefix="rnn_cell_list")


def _judge_init(name, arrays, hidden, prefix):
    """Init uniform in +-1/sqrt(hidden): within the bound, and spread like a uniform."""
    bound = 1.0 / math.sqrt(hidden)
    for key in sorted(arrays):
        if not key.startswith(f"param:{prefix}") or key.startswith("param:fc."):
            continue
        w = arrays[key].astype(np.float64)
        pname = key[len("param:"):]
        if np.abs(w).max() > bound * (1 + INIT_BOUND_SLACK["float32"]):
            return (f"{name}.{pname} has values up to {np.abs(w).max():.3g}, outside +-1/sqrt("
                    f"hidden_size) = +-{bound:.3g}: initialise every parameter uniformly in that range.")
        low, high = UNIFORM_STD_RATIO
        if w.size >= UNIFORM_MIN_SAMPLES_TORCH and not low < std_ratio_uniform(w, bound) < high:
            return (f"{name}.{pname} does not look uniform in +-1/sqrt(hidden_size) (std "
                    f"{w.std():.3g}, expected {bound / math.sqrt(3):.3g}): initialise every "
                    "parameter with uniform_(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).")
    return None


# ---------------------------------------------------------------------------------------------
# Diagnosis: name the likely bug by matching the student's output against known variants
# ---------------------------------------------------------------------------------------------

def _lstm_variant(params, inputs, case, order=(0, 1, 2, 3), acts=("s", "s", "t", "s")):
    x = torch.as_tensor(inputs["x"])
    h = torch.as_tensor(inputs["h"]) if "h" in inputs else x.new_zeros(case.B, case.H)
    c = torch.as_tensor(inputs["c"]) if "c" in inputs else x.new_zeros(case.B, case.H)
    gates = F.linear(x, params["x2h.weight"], params.get("x2h.bias")) + F.linear(
        h, params["h2h.weight"], params.get("h2h.bias"))
    chunks = gates.chunk(4, dim=1)
    fn = {"s": torch.sigmoid, "t": torch.tanh}
    i, f, g, o = (fn[a](chunks[k]) for k, a in zip(order, acts))
    c2 = f * c + i * g
    return {"h": o * torch.tanh(c2), "c": c2}


def _gru_variant(params, inputs, case, order=(0, 1, 2), swap_blend=False, reset_on_h=False,
                 blend_hn=False, reset_raw_h=False):
    x = torch.as_tensor(inputs["x"])
    h = torch.as_tensor(inputs["h"]) if "h" in inputs else x.new_zeros(case.B, case.H)
    xs = F.linear(x, params["x2h.weight"], params.get("x2h.bias")).chunk(3, dim=1)
    hs = F.linear(h, params["h2h.weight"], params.get("h2h.bias")).chunk(3, dim=1)
    r = torch.sigmoid(xs[order[0]] + hs[order[0]])
    z = torch.sigmoid(xs[order[1]] + hs[order[1]])
    if reset_on_h:
        w_n = params["h2h.weight"].chunk(3, dim=0)[order[2]]
        b_n = params["h2h.bias"].chunk(3)[order[2]] if "h2h.bias" in params else None
        n = torch.tanh(xs[order[2]] + F.linear(r * h, w_n, b_n))
    elif reset_raw_h:
        n = torch.tanh(xs[order[2]] + r * h)
    else:
        n = torch.tanh(xs[order[2]] + r * hs[order[2]])
    prev = hs[order[2]] if blend_hn else h
    return {"h": (z * n + (1 - z) * prev) if swap_blend else ((1 - z) * n + z * prev)}


def diagnose(unit, case, params, arrays, device):
    """A hint naming the likely bug, found by matching the student's output to known variants."""
    if unit not in ("lstm_cell", "gru_cell"):
        return MODEL_HINTS[unit](case, params, arrays, device)
    inputs = {k: _np(v).astype(np.float64) for k, v in make_inputs(unit, case, "cpu").items()}
    p64 = {k: torch.as_tensor(v, dtype=torch.float64) for k, v in params.items()}
    got = {k[4:]: v for k, v in arrays.items() if k.startswith("out:")}

    def matches(variant):
        return all(k in got and got[k].shape == tuple(v.shape) and close(got[k], v.numpy(), case.dtype)
                   for k, v in variant.items())

    names = GATE_NAMES[unit]
    if unit == "lstm_cell":
        for order in itertools.permutations(range(4)):
            if order != (0, 1, 2, 3) and matches(_lstm_variant(p64, inputs, case, order=order)):
                used = ", ".join(names[k] for k in sorted(range(4), key=lambda k: order[k]))
                return (f"Your gates are read in the order {used}; the contract's order along the "
                        "4*hidden_size axis is input, forget, cell candidate, output (PyTorch's).")
        for acts in itertools.product("st", repeat=4):
            if acts != ("s", "s", "t", "s") and matches(_lstm_variant(p64, inputs, case, acts=acts)):
                return ("Check the activations: sigmoid on the input, forget and output gates, tanh "
                        "on the cell candidate.")
        expected = _lstm_variant(p64, inputs, case)
        if "h" in got and "c" in got and close(got["h"], expected["c"].numpy(), case.dtype):
            return "You seem to return (c_next, h_next): return (h_next, c_next)."
        if "c" in got and close(got["c"], expected["c"].numpy(), case.dtype):
            return "c_next is right but h_next is not: h_next = o * tanh(c_next)."
        return ("Check the gate order (input, forget, cell candidate, output), sigmoid/tanh on each, "
                "and c_next = f * c + i * g, h_next = o * tanh(c_next).")
    for order in itertools.permutations(range(3)):
        if order != (0, 1, 2) and matches(_gru_variant(p64, inputs, case, order=order)):
            used = ", ".join(names[k] for k in sorted(range(3), key=lambda k: order[k]))
            return (f"Your chunks are read in the order {used}; the contract's order along the "
                    "3*hidden_size axis is reset, update, new.")
    if matches(_gru_variant(p64, inputs, case, swap_blend=True)):
        return "z and 1 - z are swapped in the blend: h_next = (1 - z) * n + z * h."
    if matches(_gru_variant(p64, inputs, case, reset_raw_h=True)):
        return ("The reset gate multiplies the previous state h itself; the contract applies it "
                "to h2h's new-gate chunk: n = tanh(x_n + r * h_n).")
    if matches(_gru_variant(p64, inputs, case, reset_on_h=True)):
        return ("The reset gate is applied to h before the projection; the contract applies it to "
                "h2h's new-gate chunk: n = tanh(x_n + r * h_n).")
    if matches(_gru_variant(p64, inputs, case, blend_hn=True)):
        return ("The blend uses the hidden projection h_n; it must use the previous state h: "
                "h_next = (1 - z) * n + z * h.")
    return ("Check the chunk order (reset, update, new), n = tanh(x_n + r * h_n) and "
            "h_next = (1 - z) * n + z * h.")


def _model_hint(case, params, arrays, device):
    if case.mode == "LSTM":
        return ("LSTM cells take and return (h, c) tuples: keep both per layer and feed h to the "
                "next layer. Also check that fc reads the top layer's state after the last step.")
    return ("Check that every layer starts from zeros, layer l > 0 reads layer l-1's new state at "
            "the same time step, and fc reads the top layer's state after the last time step.")


def _bidir_hint(case, params, arrays, device):
    got = arrays.get("out:y")
    variants = {
        "the backward direction uses the forward cells (self.rnn_cell_list) instead of "
        "self.rnn_cell_list_rev": {k.replace("rnn_cell_list.", "rnn_cell_list_rev."): v
                                   for k, v in params.items() if k.startswith("rnn_cell_list.")},
    }
    for bug, override in variants.items():
        module, _ = _reference_module("bidir_model", case, {**params, **override}, device)
        if module is not None and got is not None:
            y = reference_outputs("bidir_model", module, case, device, backward=False)["out:y"]
            if close(got, y, case.dtype):
                return f"It looks like {bug}."
    H = case.H
    w = params.get("fc.weight")
    if w is not None and got is not None:
        swapped = dict(params)
        swapped["fc.weight"] = np.concatenate([w[:, H:], w[:, :H]], axis=1)
        module, _ = _reference_module("bidir_model", case, swapped, device)
        y = reference_outputs("bidir_model", module, case, device, backward=False)["out:y"]
        if close(got, y, case.dtype):
            return "The two directions are concatenated in the wrong order: cat([forward, backward], dim=1)."
    return ("The forward stack reads t = 0..T-1 and the backward stack t = T-1..0, each layer from "
            "zeros and from its own stack's layer below; fc reads cat(forward state after t = T-1, "
            "backward state after t = 0).")


MODEL_HINTS = {"rnn_model": _model_hint, "bidir_model": _bidir_hint}


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------

def judge_aspect(unit, aspect, infos, arrays, devices):
    """The message for one hidden test (None: passed) from the probes' plain data."""
    pairs = plan(unit, aspect, devices)
    if len(infos) < len(pairs):
        return "The grader could not run every check on your code (it stopped early)."
    for k, (case, device) in enumerate(pairs):
        got = harness.case_arrays(arrays, aspect, k)
        message = judge(unit, aspect, case, got, infos[k], device)
        if message:
            return message
    if aspect == "structure" and unit in ("rnn_model", "bidir_model"):
        raised = infos[len(pairs)].get("invalid_mode") if len(infos) > len(pairs) else None
        if raised != "ValueError":
            how = "did not raise" if raised == "none" else f"raised {raised}"
            return (f"{UNITS[unit][0]}('LSTMX', ...) {how}: an unknown mode must raise ValueError.")
    return None


IDENTIFICATION_CHOICES = ("RNN", "LSTM", "GRU")


def judge_values(unit, aspect, values):
    """Section 5: is `<aspect>_model` the model that drew curve `aspect` of the shipped figure?"""
    name = f"{aspect}_model"
    value = values.get(name)
    if value not in IDENTIFICATION_CHOICES:
        return f"{name} must be one of {IDENTIFICATION_CHOICES}, not {value!r}."
    if value != ref.MODEL_IDENTIFICATION[name]:
        return (f"{name} = {value!r} is not the model that produced curve {aspect}: look again "
                "at the loss against compute time.")
    return None
