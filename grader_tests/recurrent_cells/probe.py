"""The probe half of the `recurrent_cells` checks: runs student code, returns plain data.

Copied into the grading sandbox, so it must not import `reference` or hold anything that gives an
answer away: it builds the student's modules with the grader's seeds, feeds them the grader's
inputs and records outputs, gradients and parameters as numpy arrays, plus a small JSON-able
`info` dict. Every unit is a torch module with cases of its own (`RecurrentProbe`, a
`ModuleProbe`: the framework adds the contract checks every module unit gets), registered in
`PROBES`. The judge half (judge.py) recomputes everything with the reference. The from-scratch
rule is the framework's (grader_tests/framework/contract/rules.py, declared in units.py).
"""
import dataclasses
import warnings

import numpy as np
import torch
import torch.nn as nn

from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.sandboxed.kinds import ModuleProbe, probes_for
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
    hint: Hint = None          # shown when this is the first failing case

    def describe_cell(self):
        return (f"input of shape ({self.B}, {self.D}), hidden_size {self.H}, "
                f"hx {'given' if self.hx == 'given' else 'None'}, bias={self.bias}, {self.dtype}")

    def describe_model(self):
        return (f"mode '{self.mode}', input of shape ({self.B}, {self.T}, {self.D}), hidden_size "
                f"{self.H}, num_layers {self.L}, bias={self.bias}, {self.dtype}")


SQUEEZE_HINT = Hint("batch_size_1", "It fails only with batch size 1: avoid .squeeze() (it also drops the "
                    "batch axis); index or chunk along dim=1 instead.")
HX_NONE_HINT = Hint("hx_none", "It fails only with hx=None: the initial state must be zeros with the "
                    "input's batch size, dtype and device (e.g. input.new_zeros(B, hidden_size)).")
DTYPE_HINT = Hint("dtype", "It fails only for {dtype}: create new tensors with the input's dtype and device "
                  "(input.new_zeros, torch.zeros(..., dtype=input.dtype, device=input.device)).")
BIAS_HINT = Hint("bias_false", "It fails only with bias=False: pass the bias flag on to every nn.Linear / cell.")
HIDDEN_1_HINT = Hint("hidden_size_1", "It fails only with hidden_size 1: avoid .squeeze().")
SEQ_1_HINT = Hint("seq_len_1", "It fails only for sequence length 1.")
LAYERS_1_HINT = Hint("num_layers_1", "It fails only with num_layers 1.")
LAYERS_3_HINT = Hint("num_layers_3", "It fails with num_layers 3: layer l > 0 must read layer l-1's new "
                     "hidden state.")

CELL_CASES = [
    Case(B=4, D=7, H=5, seed=11),
    Case(B=4, D=7, H=5, hx="none", seed=12, hint=HX_NONE_HINT),
    Case(B=1, D=7, H=5, seed=13, hint=SQUEEZE_HINT),
    Case(B=1, D=3, H=4, hx="none", seed=14, hint=SQUEEZE_HINT),
    Case(B=3, D=6, H=5, bias=False, seed=15, hint=BIAS_HINT),
    Case(B=5, D=3, H=8, dtype="float32", hx="none", seed=16, hint=DTYPE_HINT),
    Case(B=2, D=6, H=1, seed=17, hint=HIDDEN_1_HINT),
    Case(B=6, D=9, H=9, dtype="float32", seed=18, hint=DTYPE_HINT),
]
CELL_BACKWARD_CASES = [CELL_CASES[0], CELL_CASES[2], CELL_CASES[4], CELL_CASES[1]]

_MODEL_SQUEEZE = Hint("batch_size_1_model", "It fails only with batch size 1: avoid .squeeze() (it also "
                      "drops the batch axis); keep the (B, H) shape.")
MODEL_CASES = (
    [Case(mode=m, B=3, T=5, D=4, H=6, L=2, seed=21 + k) for k, m in enumerate(MODES)]
    + [Case(mode=m, B=1, T=4, D=3, H=5, L=2, seed=31 + k, hint=_MODEL_SQUEEZE)
       for k, m in enumerate(MODES)]
    + [Case(mode=m, B=2, T=1, D=4, H=3, L=2, seed=41 + k, hint=SEQ_1_HINT) for k, m in enumerate(MODES)]
    + [Case(mode="LSTM", B=2, T=3, D=5, H=4, L=1, seed=51, hint=LAYERS_1_HINT),
       Case(mode="GRU", B=2, T=6, D=5, H=4, L=3, seed=52, hint=LAYERS_3_HINT),
       Case(mode="RNN_TANH", B=2, T=4, D=2, H=7, L=3, seed=53, hint=LAYERS_3_HINT),
       Case(mode="LSTM", B=3, T=4, D=4, H=5, L=2, bias=False, seed=54, hint=BIAS_HINT),
       Case(mode="RNN_RELU", B=3, T=4, D=4, H=5, L=2, bias=False, seed=55, hint=BIAS_HINT)]
    + [Case(mode=m, B=3, T=4, D=5, H=4, L=2, dtype="float32", seed=61 + k, hint=DTYPE_HINT)
       for k, m in enumerate(MODES)]
)
MODEL_BACKWARD_CASES = [c for c in MODEL_CASES if c.seed in (21, 22, 23, 24, 31, 52, 54)]

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


OUTPUT_SIZE = 3


def _randn(case, device):
    """The grader's random inputs for `case`, drawn in a fixed order from the case's seed."""
    gen = torch.Generator().manual_seed(1000 + case.seed)
    dtype = _DTYPES[case.dtype]
    return lambda *shape: torch.randn(*shape, generator=gen, dtype=torch.float64).to(device=device, dtype=dtype)


def _np(t):
    return t.detach().to("cpu").numpy().copy()


# ---------------------------------------------------------------------------------------------
# The units' probes: a cell or a model, each on its cases and the grader's inputs
# ---------------------------------------------------------------------------------------------

class RecurrentProbe(ModuleProbe):
    """A module of this assignment on its cases (`cases`: {aspect: [Case]}) on every grading
    device, plus for `forward` a shapes-only pass on torch's meta device (`meta_cases`: it
    catches code that creates tensors on a fixed device even without a GPU). Each family (cell,
    model) says how to build the module, draw its inputs and drive it (`drive`); the judge drives
    the reference with the same `drive`."""

    def __init__(self, cases, meta_cases):
        super().__init__(cases=cases)
        self.meta_cases = meta_cases

    def plan(self, aspect, devices):
        pairs = [(case, torch.device(d)) for case in self.cases.get(aspect, []) for d in devices]
        if aspect == "forward":
            pairs += [(case, torch.device("meta")) for case in self.meta_cases]
        return pairs

    def probe_case(self, probe, aspect, case, device):
        return self.run_case(probe.obj, case, torch.device(device), backward=(aspect == "backward"))

    def construct(self, cls, case, device):
        return self.build(cls, case).to(device=device, dtype=_DTYPES[case.dtype])

    def run_case(self, cls, case, device, backward=True):
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
                module = self.build(cls, case)
                if not isinstance(module, nn.Module):
                    info["error"] = f"{self.name}(...) did not build an nn.Module"
                    return arrays, info
                module = module.to(device=device, dtype=_DTYPES[case.dtype])
                info["param_names"] = [n for n, _ in module.named_parameters()]
                info.update(self.structure_info(module))
                if device.type != "meta":  # meta tensors carry shapes only
                    for name, p in module.named_parameters():
                        arrays[f"param:{name}"] = _np(p)
                self.drive(module, case, device, backward, arrays, info)
        except Exception as err:  # the student's code raised: a verdict, not a grader crash
            info["error"] = harness.describe_exception(err)
        finally:
            torch.use_deterministic_algorithms(previous_det)
        return arrays, info

    def structure_info(self, module):
        return {}

    def drive(self, module, case, device, backward, arrays, info):
        """Forward on the case's inputs (and backward of sum(out * upstream)): plain data into
        `arrays` and `info`. The same for the student's module and the reference."""
        inputs = self.make_inputs(case, device)
        originals = {k: v.clone() for k, v in inputs.items()}
        outs, grads_from = self.forward(module, inputs, case, device, backward, arrays, info)
        if outs is None:
            return
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


class CellProbe(RecurrentProbe):
    """An LSTM or GRU cell: `cell(x, hx)` with hx given or None; `state_parts` 2 for the LSTM's
    (h, c), 1 for the GRU's h."""

    def __init__(self, name, state_parts):
        super().__init__({"forward": CELL_CASES, "backward": CELL_BACKWARD_CASES, "structure": CELL_STRUCTURE},
                         meta_cases=[CELL_CASES[1], CELL_CASES[3]])
        self.name, self.state_parts = name, state_parts

    def describe(self, case):
        return case.describe_cell()

    def build(self, cls, case):
        torch.manual_seed(case.seed)
        return cls(case.D, case.H, case.bias)

    def make_inputs(self, case, device):
        """x, the given state(s) and the upstream gradients, in a fixed order."""
        randn = _randn(case, device)
        inputs = {"x": randn(case.B, case.D)}
        if case.hx == "given":
            inputs["h"] = randn(case.B, case.H)
            if self.state_parts == 2:
                inputs["c"] = randn(case.B, case.H)
        inputs["g_h"] = randn(case.B, case.H)
        if self.state_parts == 2:
            inputs["g_c"] = randn(case.B, case.H)
        return inputs

    def _state(self, inputs, requires_grad=False):
        if "h" not in inputs:
            return None
        h = inputs["h"].requires_grad_(requires_grad)
        return (h, inputs["c"].requires_grad_(requires_grad)) if self.state_parts == 2 else h

    def inputs(self, case, device):
        made = self.make_inputs(case, device)
        return (made["x"], self._state(made))

    def forward(self, module, inputs, case, device, backward, arrays, info):
        x = inputs["x"].requires_grad_(backward)
        out = module(x, self._state(inputs, backward))
        if self.state_parts == 2:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                info["error"] = "forward must return a tuple (h_next, c_next)"
                return None, None
            outs = {"h": out[0], "c": out[1]}
        else:
            outs = {"h": out}
        return outs, {"h": inputs["g_h"], "c": inputs.get("g_c")}


class ModelProbe(RecurrentProbe):
    """A classifier over a sequence: `model(x)` with x (B, T, D), built as
    `Model(mode, input_size, hidden_size, num_layers, bias, output_size)`; `bidirectional`: it
    also has `rnn_cell_list_rev`. For `structure` the probe also records whether an unknown mode
    raises ValueError."""

    def __init__(self, name, structure_cases, bidirectional=False):
        super().__init__({"forward": MODEL_CASES, "backward": MODEL_BACKWARD_CASES, "structure": structure_cases},
                         meta_cases=MODEL_CASES[:4])
        self.name, self.bidirectional = name, bidirectional

    def describe(self, case):
        return case.describe_model()

    def build(self, cls, case):
        torch.manual_seed(case.seed)
        return cls(case.mode, case.D, case.H, case.L, case.bias, OUTPUT_SIZE)

    def make_inputs(self, case, device):
        randn = _randn(case, device)
        return {"x": randn(case.B, case.T, case.D), "g_out": randn(case.B, OUTPUT_SIZE)}

    def inputs(self, case, device):
        return (self.make_inputs(case, device)["x"],)

    def forward(self, module, inputs, case, device, backward, arrays, info):
        x = inputs["x"].requires_grad_(backward)
        out = module(x)
        again = module(x.detach())
        if isinstance(again, torch.Tensor) and device.type != "meta":
            arrays["out2:y"] = _np(again)
        return {"y": out}, {"y": inputs["g_out"]}

    def structure_info(self, module):
        info = {}
        for attr in ("rnn_cell_list", "rnn_cell_list_rev", "fc"):
            info[f"has:{attr}"] = isinstance(getattr(module, attr, None), nn.Module)
        cells = getattr(module, "rnn_cell_list", None)
        info["num_cells"] = len(cells) if isinstance(cells, nn.ModuleList) else -1
        rev = getattr(module, "rnn_cell_list_rev", None)
        if isinstance(cells, nn.Module) and isinstance(rev, nn.Module):
            fwd_ptrs = {p.data_ptr() for p in cells.parameters()}
            info["shared_rev"] = any(p.data_ptr() in fwd_ptrs for p in rev.parameters())
        return info

    def extras(self, probe, aspect):
        found = super().extras(probe, aspect)
        if aspect == "structure":
            found.append({"invalid_mode": probe_invalid_mode(probe.obj)})
        return found


def probe_invalid_mode(cls):
    """What constructing with an unknown mode does: 'ValueError', another exception, or 'none'."""
    try:
        cls("LSTMX", 3, 4, 1, True, 2)
    except ValueError:
        return "ValueError"
    except Exception as err:  # the student's constructor failed differently
        return type(err).__name__
    return "none"


CELL_STRUCTURE = [Case(B=2, D=7, H=64, seed=71), Case(B=2, D=5, H=16, bias=False, seed=72)]

PROBES = probes_for(
    TABLE,
    lstm_cell=CellProbe("LSTMCell", state_parts=2),
    gru_cell=CellProbe("GRUCell", state_parts=1),
    rnn_model=ModelProbe("RNNModel", [Case(mode=m, B=2, T=2, D=7, H=48, L=3, seed=80 + k)
                                      for k, m in enumerate(MODES)]),
    bidir_model=ModelProbe("BidirRecurrentModel", [Case(mode=m, B=2, T=2, D=7, H=48, L=2, seed=90 + k)
                                                   for k, m in enumerate(MODES)], bidirectional=True),
)
