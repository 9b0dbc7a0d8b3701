"""The judge of `recurrent_cells` (SPEC 4.1): recompute with `reference/` and compare.

Every check runs the student's answer cell alone in the given code's namespace; units that
build on others (units.py) get the *reference* cells there, so a bug in a cell is never charged
twice. A hidden test is a list of (case, device) probes (the unit's `RecurrentProbe.plan`); the
probe half runs the student's code in the sandbox and returns plain data; `RecurrentJudge`
recomputes with the reference, using the student's own parameters copied by name, and returns a
verdict naming the likely bug. The from-scratch rule is checked by the framework (rules.py).
"""
import itertools
import math

import numpy as np
import torch
import torch.nn.functional as F

from reference import recurrent_cells as ref
from grader_tests.framework.contract import verdict as v
from grader_tests.framework.contract.numerics import (
    INIT_BOUND_SLACK, UNIFORM_MIN_SAMPLES_TORCH, close, max_abs_error, std_ratio_uniform,
    uniform_std_band)
from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.judging.kinds import UnitJudge, judge_module_contract, judges_for
from grader_tests.recurrent_cells.probe import DTYPE_HINT, OUTPUT_SIZE, PROBES, _DTYPES, _np
from grader_tests.recurrent_cells.units import TABLE

def _case_hint(case):
    return case.hint.format(dtype=case.dtype) if case.hint else None


NAMES_OF_THE_CONTRACT = Hint("parameter_names", "Keep the attribute names of the contract (x2h, h2h; the "
                             "models also rnn_cell_list, fc).")
NAN_STATE = Hint("uninitialised_state", "The output contains NaN: is an initial state left uninitialised "
                 "(torch.empty, torch.Tensor(B, H))?")
ZERO_STATES = Hint("state_between_calls", "Calling the model twice on the same input gave different logits: "
                   "every call must start from zero states (don't keep states in self).")
IN_PLACE = Hint("inplace_inputs", "Work on new tensors: the forward pass must not modify its inputs in place.")
OUT_OF_GRAPH = Hint("gradient_missing", "The output is not connected to it in the autograd graph: no "
                    ".detach(), .data or new tensors built from values.")
GRAPH_BROKEN = Hint("gradient_wrong", "The forward values agree but this gradient does not: look for .detach(), "
                    ".data, in-place updates or values copied out of the graph.")
FIXED_DEVICE = Hint("fixed_device", "Your code creates a tensor on a fixed device: create new tensors on the "
                    "input's device (input.new_zeros(...), torch.zeros(..., device=input.device)); this is "
                    "what breaks on a GPU.")
OUTPUT_DEVICE = Hint("output_device", "The output must stay on the input's device.")
INVALID_MODE = Hint("invalid_mode", "An unknown mode must raise ValueError.")
INIT_RANGE = Hint("init_uniform", "Initialise every parameter uniformly in +-1/sqrt(hidden_size), with "
                  "uniform_(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).")


def _judge_init(name, arrays, hidden, prefix):
    """Init uniform in +-1/sqrt(hidden): within the bound, and spread like a uniform."""
    bound = 1.0 / math.sqrt(hidden)
    for key in sorted(arrays):
        if not key.startswith(f"param:{prefix}") or key.startswith("param:fc."):
            continue
        w = arrays[key].astype(np.float64)
        pname = key[len("param:"):]
        if np.abs(w).max() > bound * (1 + INIT_BOUND_SLACK["float32"]):
            return v.contract(f"{name}.{pname}", f"has values up to {np.abs(w).max():.3g}, outside +-1/sqrt("
                              f"hidden_size) = +-{bound:.3g}", hint=INIT_RANGE, symptom="values")
        low, high = uniform_std_band(w.size)
        if w.size >= UNIFORM_MIN_SAMPLES_TORCH and not low < std_ratio_uniform(w, bound) < high:
            return v.contract(f"{name}.{pname}", f"does not look uniform in +-1/sqrt(hidden_size) (std "
                              f"{w.std():.3g}, expected {bound / math.sqrt(3):.3g})", hint=INIT_RANGE,
                              symptom="values")
    return None


# ---------------------------------------------------------------------------------------------
# The units' judges: what every module of this assignment shares, then a cell's and a model's
# ---------------------------------------------------------------------------------------------

class RecurrentJudge(UnitJudge):
    """A module of this assignment against the reference class (`reference`), built as the probe
    builds the student's (`probe.build`) with the student's parameters copied in by name, and
    driven by the probe's own `drive` on the same inputs. The meta-device pass is judged on
    shapes and devices only; every module unit also gets the framework's contract checks."""

    def __init__(self, reference, probe):
        super().__init__(reference=reference)
        self.probe = probe

    def where(self, case, device, probe=None):
        return f"for {self.probe.describe(case)} on {device.type}"

    def reference_module(self, case, params, device):
        """The reference module with the student's parameters, or (None, what is missing)."""
        torch.manual_seed(0)
        module = self.probe.build(self.reference, case).to(device=device, dtype=_DTYPES[case.dtype])
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

    def reference_outputs(self, module, case, device, backward=True):
        """The reference's outputs (and gradients) for `case` as numpy arrays."""
        arrays, info = {}, {}
        self.probe.drive(module, case, device, backward, arrays, info)
        return arrays

    def judge_error(self, judging, case, device, got, info):
        if device.type == "meta":
            return self.judge_device_agnostic(case, info)
        if str(info.get("error", "")).startswith("NotImplementedError"):
            return v.not_answered(judging.name)
        if "error" in info:
            return v.raised(judging.name, info["error"], self.where(case, device), _case_hint(case))
        return None

    def judge_device_agnostic(self, case, info):
        """The probe ran on torch's 'meta' device (shapes only): any tensor the student's code made
        on a fixed device (torch.zeros(B, H) is on the CPU) shows up here, even without a GPU."""
        where = f"for {self.probe.describe(case)} with the module and input on a non-CPU device"
        if "error" in info:
            return v.raised(self.probe.name, info["error"], where, FIXED_DEVICE)
        for key, dev in sorted(info.items()):
            if key.startswith("out_device:") and dev != "meta":
                return v.contract("The output", f"is on {dev}", where, OUTPUT_DEVICE, "dtype")
        return None

    def judge_case(self, judging, case, device, got, info):
        if device.type == "meta":
            return None
        if judging.aspect == "structure":
            return self.judge_structure(case, got, info)
        where = self.where(case, device)
        params = {k[len("param:"):]: value for k, value in got.items() if k.startswith("param:")}
        module, missing = self.reference_module(case, params, device)
        if module is None:
            return v.contract(self.probe.name, f"has no parameter {missing[0]}", hint=NAMES_OF_THE_CONTRACT,
                              symptom="missing")
        expected = self.reference_outputs(module, case, device, backward=(judging.aspect == "backward"))
        for key in [k for k in expected if k.startswith("out:")]:
            label = {"h": "h_next", "c": "c_next", "y": "the logits"}[key[4:]]
            mine = got.get(key)
            if mine is None or mine.shape != expected[key].shape:
                return v.wrong_shape(label, None if mine is None else mine.shape, expected[key].shape, where,
                                     _case_hint(case))
            dtype, on = info.get(f"out_dtype:{key[4:]}"), info.get(f"out_device:{key[4:]}")
            if dtype != case.dtype or on != device.type:
                return v.contract(label, f"is {dtype} on {on}", where, DTYPE_HINT.format(dtype=case.dtype), "dtype")
            if not close(mine, expected[key], case.dtype):
                hint = _case_hint(case) or self.diagnose(case, params, got, device)
                if np.isnan(mine).any():
                    hint = NAN_STATE
                return v.values_differ(label, where, max_abs_error(mine, expected[key]), hint)
        if "out2:y" in got and not close(got["out2:y"], expected["out:y"], case.dtype):
            return v.failed(self.probe.name, "gave different logits when called twice on the same input", where,
                            ZERO_STATES, "state")
        if info.get("modified_inputs"):
            return v.contract("Your forward pass", f"modified its input(s) {', '.join(info['modified_inputs'])} "
                              "in place", where, IN_PLACE, "inplace")
        if judging.aspect == "backward":
            for key in sorted(k for k in expected if k.startswith("grad:")):
                mine = got.get(key)
                what = key.replace("grad:param:", "the gradient of ").replace("grad:", "the gradient of input ")
                if mine is None:
                    return v.contract(what, "is missing", where, OUT_OF_GRAPH, "missing")
                if not close(mine, expected[key], case.dtype):
                    return v.values_differ(what, where, max_abs_error(mine, expected[key]), GRAPH_BROKEN,
                                           symptom="gradient")
        return None

    def judge_extras(self, judging, extras):
        return judge_module_contract(judging.name, extras, self.reference)


class CellJudge(RecurrentJudge):
    """An LSTM or GRU cell: `gate_names` along the 4*H or 3*H axis; `diagnose_variants(params,
    inputs, case, matches)` names the likely bug among the known wrong cells."""

    def __init__(self, reference, probe, gate_names, diagnose_variants):
        super().__init__(reference, probe)
        self.gate_names, self.diagnose_variants = gate_names, diagnose_variants

    def judge_structure(self, case, arrays, info):
        name, k = self.probe.name, len(self.gate_names)
        shapes = {"x2h.weight": (k * case.H, case.D), "h2h.weight": (k * case.H, case.H)}
        if case.bias:
            shapes.update({"x2h.bias": (k * case.H,), "h2h.bias": (k * case.H,)})
        got = {n[6:]: arrays[n].shape for n in arrays if n.startswith("param:")}
        if set(got) != set(shapes):
            return v.contract(f"{name}({case.D}, {case.H}, bias={case.bias})", f"has parameters {sorted(got)}; "
                              f"the contract asks for exactly {sorted(shapes)}",
                              hint=Hint("cell_parameters", f"Use self.x2h and self.h2h, nn.Linear layers with "
                                        f"bias={case.bias}."), symptom="missing")
        for n, shape in shapes.items():
            if tuple(got[n]) != shape:
                return v.wrong_shape(f"{name}.{n}", tuple(got[n]), shape)
        return _judge_init(name, arrays, case.H, prefix="")

    def diagnose(self, case, params, arrays, device):
        """The `Hint` naming the likely bug, found by matching the student's output to known variants."""
        inputs = {k: _np(t).astype(np.float64) for k, t in self.probe.make_inputs(case, "cpu").items()}
        p64 = {k: torch.as_tensor(value, dtype=torch.float64) for k, value in params.items()}
        got = {k[4:]: value for k, value in arrays.items() if k.startswith("out:")}

        def matches(variant):
            return all(k in got and got[k].shape == tuple(t.shape) and close(got[k], t.numpy(), case.dtype)
                       for k, t in variant.items())
        return self.diagnose_variants(self.gate_names, p64, inputs, case, matches, got)


class ModelJudge(RecurrentJudge):
    """A sequence classifier: its structure (submodules, one cell per layer, fc), an unknown mode
    raising ValueError, and `hint(judge, case, params, arrays, device)` naming the likely bug."""

    def __init__(self, reference, probe, hint):
        super().__init__(reference, probe)
        self.hint = hint

    def judge_structure(self, case, arrays, info):
        name = self.probe.name
        for attr in ("rnn_cell_list", "fc") + (("rnn_cell_list_rev",) if self.probe.bidirectional else ()):
            if not info.get(f"has:{attr}"):
                return v.contract(name, f"has no submodule self.{attr}, which the contract names", symptom="missing")
        if info.get("num_cells") != case.L:
            return v.contract(f"{name} with num_layers={case.L}", f"has {info.get('num_cells')} cells in "
                              "self.rnn_cell_list", hint=Hint("one_cell_per_layer", "self.rnn_cell_list is an "
                                                              "nn.ModuleList with one cell per layer."))
        if info.get("shared_rev"):
            return v.contract("self.rnn_cell_list_rev", "shares parameters with self.rnn_cell_list",
                              hint=Hint("bidir_shared_cells", "The backward direction needs its own cells."))
        fc_in = case.H * (2 if self.probe.bidirectional else 1)
        if "param:fc.bias" not in arrays:
            return v.contract(f"{name}.fc", "has no bias", hint=Hint("fc_bias", f"self.fc = nn.Linear({fc_in}, "
                                                                      "output_size) keeps its bias."), symptom="missing")
        if arrays["param:fc.weight"].shape != (OUTPUT_SIZE, fc_in):
            return v.wrong_shape(f"{name}.fc.weight", arrays["param:fc.weight"].shape, (OUTPUT_SIZE, fc_in))
        return _judge_init(name, arrays, case.H, prefix="rnn_cell_list")

    def diagnose(self, case, params, arrays, device):
        return self.hint(self, case, params, arrays, device)

    def judge_extras(self, judging, extras):
        found = super().judge_extras(judging, extras)
        if found or judging.aspect != "structure":
            return found
        raised = next((e.get("invalid_mode") for e in extras if "invalid_mode" in e), None)
        if raised != "ValueError":
            how = "did not raise" if raised == "none" else f"raised {raised}"
            return v.contract(f"{judging.name}('LSTMX', ...)", how, hint=INVALID_MODE)
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


def diagnose_lstm(names, p64, inputs, case, matches, got):
    for order in itertools.permutations(range(4)):
        if order != (0, 1, 2, 3) and matches(_lstm_variant(p64, inputs, case, order=order)):
            used = ", ".join(names[k] for k in sorted(range(4), key=lambda k: order[k]))
            return Hint("lstm:gate_order", f"Your gates are read in the order {used}; the contract's order "
                        "along the 4*hidden_size axis is input, forget, cell candidate, output (PyTorch's).")
    for acts in itertools.product("st", repeat=4):
        if acts != ("s", "s", "t", "s") and matches(_lstm_variant(p64, inputs, case, acts=acts)):
            return Hint("lstm:activations", "Check the activations: sigmoid on the input, forget and "
                        "output gates, tanh on the cell candidate.")
    expected = _lstm_variant(p64, inputs, case)
    if "h" in got and "c" in got and close(got["h"], expected["c"].numpy(), case.dtype):
        return Hint("lstm:returns_c_h", "You seem to return (c_next, h_next): return (h_next, c_next).")
    if "c" in got and close(got["c"], expected["c"].numpy(), case.dtype):
        return Hint("lstm:h_next", "c_next is right but h_next is not: h_next = o * tanh(c_next).")
    return Hint("lstm:generic", "Check the gate order (input, forget, cell candidate, output), "
                "sigmoid/tanh on each, and c_next = f * c + i * g, h_next = o * tanh(c_next).")


def diagnose_gru(names, p64, inputs, case, matches, got):
    for order in itertools.permutations(range(3)):
        if order != (0, 1, 2) and matches(_gru_variant(p64, inputs, case, order=order)):
            used = ", ".join(names[k] for k in sorted(range(3), key=lambda k: order[k]))
            return Hint("gru:chunk_order", f"Your chunks are read in the order {used}; the contract's order "
                        "along the 3*hidden_size axis is reset, update, new.")
    if matches(_gru_variant(p64, inputs, case, swap_blend=True)):
        return Hint("gru:z_swapped", "z and 1 - z are swapped in the blend: h_next = (1 - z) * n + z * h.")
    if matches(_gru_variant(p64, inputs, case, reset_raw_h=True)):
        return Hint("gru:reset_raw_h", "The reset gate multiplies the previous state h itself; the "
                    "contract applies it to h2h's new-gate chunk: n = tanh(x_n + r * h_n).")
    if matches(_gru_variant(p64, inputs, case, reset_on_h=True)):
        return Hint("gru:reset_on_h", "The reset gate is applied to h before the projection; the "
                    "contract applies it to h2h's new-gate chunk: n = tanh(x_n + r * h_n).")
    if matches(_gru_variant(p64, inputs, case, blend_hn=True)):
        return Hint("gru:blend_h_n", "The blend uses the hidden projection h_n; it must use the "
                    "previous state h: h_next = (1 - z) * n + z * h.")
    return Hint("gru:generic", "Check the chunk order (reset, update, new), n = tanh(x_n + r * h_n) and "
                "h_next = (1 - z) * n + z * h.")


def model_hint(judge, case, params, arrays, device):
    if case.mode == "LSTM":
        return Hint("model:lstm_tuples", "LSTM cells take and return (h, c) tuples: keep both per layer and "
                    "feed h to the next layer. Also check that fc reads the top layer's state after the last step.")
    return Hint("model:generic", "Check that every layer starts from zeros, layer l > 0 reads layer l-1's "
                "new state at the same time step, and fc reads the top layer's state after the last time step.")


REUSES_FORWARD_CELLS = Hint("bidir:reuses_forward_cells", "It looks like the backward direction uses the forward "
                            "cells (self.rnn_cell_list) instead of self.rnn_cell_list_rev.")


def bidir_hint(judge, case, params, arrays, device):
    got = arrays.get("out:y")
    reused = {k.replace("rnn_cell_list.", "rnn_cell_list_rev."): value
              for k, value in params.items() if k.startswith("rnn_cell_list.")}
    module, _ = judge.reference_module(case, {**params, **reused}, device)
    if module is not None and got is not None:
        y = judge.reference_outputs(module, case, device, backward=False)["out:y"]
        if close(got, y, case.dtype):
            return REUSES_FORWARD_CELLS
    H = case.H
    w = params.get("fc.weight")
    if w is not None and got is not None:
        swapped = dict(params)
        swapped["fc.weight"] = np.concatenate([w[:, H:], w[:, :H]], axis=1)
        module, _ = judge.reference_module(case, swapped, device)
        y = judge.reference_outputs(module, case, device, backward=False)["out:y"]
        if close(got, y, case.dtype):
            return Hint("bidir:concat_order", "The two directions are concatenated in the wrong order: "
                        "cat([forward, backward], dim=1).")
    return Hint("bidir:generic", "The forward stack reads t = 0..T-1 and the backward stack t = T-1..0, each "
                "layer from zeros and from its own stack's layer below; fc reads cat(forward state after "
                "t = T-1, backward state after t = 0).")


IDENTIFICATION_CHOICES = ("RNN", "LSTM", "GRU")
WRONG_CURVE = Hint("identification:wrong_model", "Look again at the loss against compute time.")


class IdentificationJudge(UnitJudge):
    """Section 5: is `<aspect>_model` the model that drew curve `aspect` of the shipped figure?"""

    def judge_values(self, aspect, values):
        name = f"{aspect}_model"
        value = values.get(name)
        if value not in IDENTIFICATION_CHOICES:
            return v.contract(name, f"must be one of {IDENTIFICATION_CHOICES}, not {value!r}", symptom="value")
        if value != ref.MODEL_IDENTIFICATION[name]:
            return v.failed(f"{name} = {value!r}", f"is not the model that produced curve {aspect}", hint=WRONG_CURVE,
                            symptom="value")
        return None


JUDGES = judges_for(
    TABLE, PROBES,
    lstm_cell=CellJudge(ref.LSTMCell, PROBES["lstm_cell"], ("input", "forget", "cell candidate", "output"),
                        diagnose_lstm),
    gru_cell=CellJudge(ref.GRUCell, PROBES["gru_cell"], ("reset", "update", "new"), diagnose_gru),
    rnn_model=ModelJudge(ref.RNNModel, PROBES["rnn_model"], model_hint),
    bidir_model=ModelJudge(ref.BidirRecurrentModel, PROBES["bidir_model"], bidir_hint),
    model_identification=IdentificationJudge(),
)
