"""How a unit is probed in the sandbox: the framework's loop over a unit's cases and devices
(`UnitProbe.run`), and the generic kinds a unit table row's kind chooses (`probes_for`):

- `PairProbe` (a numpy unit defining a forward and a backward function, cs231n style:
  `forward(*arrays, *extras) -> (out, cache)`, `backward(dout, cache) -> grads`): the forward's
  output, whether it edits its inputs in place, every gradient, and centred finite differences of
  the student's own forward (aspects `forward`, `backward`);
- `FunctionProbe` (a numpy function, `fn(*arrays, *extras) -> array`; aspect `values`);
- `ModuleProbe` (a torch module class): output, input and parameter gradients on every grading
  device, and for every such unit the contract checks no single case makes: the constructor's and
  forward's signatures (their defaults are the contract's: the notebook's own cells rely on them)
  and a second call on the same input (a module must not keep state between calls).

A unit whose checks no kind fits has a `UnitProbe` of its own (its cases and `probe_case`, or a
subclass), registered under the unit's id in its assignment's probe module (`PROBES`). The judge
half of each kind is grader_tests/framework/judging/kinds.py. This module runs in the sandbox:
numpy, torch when a unit needs it, never the reference.
"""
import copy
import dataclasses
import warnings

import numpy as np

from grader_tests.framework.sandboxed import harness
from grader_tests.framework.contract.numerics import numerical_gradient
from grader_tests.framework.contract.verdict import Hint


@dataclasses.dataclass(frozen=True)
class Case:
    """One input of a numpy unit: arrays drawn from a seeded normal, plus extra arguments."""
    seed: int
    arrays: tuple                 # ((name, shape), ...) in the order of the positional arguments
    extras: tuple = ()            # further positional arguments (e.g. a conv_param dict)
    grads: tuple = None           # names of the arrays backward returns gradients for (default: all)
    hint: Hint = None             # shown when this is the first failing case
    label: str = ""               # how to describe the case (default: the shapes)
    affine: tuple = ()            # ((name, scale, shift), ...): that array is scale * normal + shift

    def inputs(self):
        rng = np.random.default_rng(10_000 + self.seed)
        arrays = {name: rng.standard_normal(shape) for name, shape in self.arrays}
        for name, scale, shift in self.affine:
            arrays[name] = scale * arrays[name] + shift
        return arrays

    def extra_args(self):
        """Fresh copies of the extra arguments (a callee may write into a dict it is given)."""
        return [copy.deepcopy(e) for e in self.extras]

    def upstream(self, shape):
        return np.random.default_rng(20_000 + self.seed).standard_normal(shape)

    @property
    def grad_names(self):
        return tuple(self.grads if self.grads is not None else (n for n, _ in self.arrays))

    def describe(self):
        if self.label:
            return self.label
        shapes = ", ".join(f"{n} of shape {tuple(s)}" for n, s in self.arrays)
        extras = "".join(f", {e}" for e in self.extras)
        return f"{shapes}{extras}"


def float_array(value):
    """A probe's numeric result as a float64 array; anything else raises TypeError (a verdict)."""
    arr = np.asarray(value)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"expected an array of numbers, got {type(value).__name__}")
    return arr.astype(np.float64)


def _call_forward(forward, inputs, case, copy_inputs=True):
    result = forward(*[inputs[n].copy() if copy_inputs else inputs[n] for n, _ in case.arrays],
                     *case.extra_args())
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise TypeError("the forward pass must return a tuple (out, cache)")
    return float_array(result[0]), result[1]


# ---------------------------------------------------------------------------------------------
# Probes (sandbox side)
# ---------------------------------------------------------------------------------------------

def probe_pair(forward, backward, case, aspect):
    """Run the student's pair on `case`: out; for `backward` also the grads and finite
    differences of the student's own forward. Returns (arrays, info)."""
    arrays, info = {}, {}
    inputs = case.inputs()
    originals = {k: v.copy() for k, v in inputs.items()}
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, cache = _call_forward(forward, inputs, case, copy_inputs=False)  # an in-place edit shows
            arrays["out"] = out
            info["modified_inputs"] = [k for k in inputs if not np.array_equal(inputs[k], originals[k])]
            if aspect != "backward":
                return arrays, info
            dout = case.upstream(out.shape)
            grads = backward(dout.copy(), cache)
            if not isinstance(grads, (tuple, list)):
                grads = (grads,)
            if len(grads) != len(case.grad_names):
                info["grads_count"] = len(grads)
                return arrays, info
            for name, grad in zip(case.grad_names, grads):
                arrays[f"grad:{name}"] = float_array(grad)
            work = {k: v.copy() for k, v in originals.items()}  # _call_forward passes copies
            for name in case.grad_names:
                arrays[f"num:{name}"] = numerical_gradient(
                    lambda: float(np.sum(_call_forward(forward, work, case)[0] * dout)), work[name])
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    return arrays, info


def probe_function(fn, case):
    arrays, info = {}, {}
    inputs = case.inputs()
    originals = {k: v.copy() for k, v in inputs.items()}
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arrays["out"] = float_array(fn(*[inputs[n] for n, _ in case.arrays], *case.extra_args()))
        info["modified_inputs"] = [k for k in inputs if not np.array_equal(inputs[k], originals[k])]
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    return arrays, info


# ---------------------------------------------------------------------------------------------
# A torch module: values and autograd gradients with parameters shared by name
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class ModuleCase:
    """One input of a torch-module unit: constructor arguments, input shapes, dtype."""
    seed: int
    args: tuple                   # constructor arguments
    inputs: tuple                 # ((name, shape), ...) positional inputs of forward
    dtype: str = "float64"
    hint: Hint = None

    def describe(self):
        shapes = ", ".join(f"{n} of shape {tuple(s)}" for n, s in self.inputs)
        return f"{shapes}, constructor arguments {self.args}, {self.dtype}"

    def tensors(self, device):
        import torch
        gen = torch.Generator().manual_seed(30_000 + self.seed)
        dtype = getattr(torch, self.dtype)
        return {n: torch.randn(*s, generator=gen, dtype=torch.float64).to(device=device, dtype=dtype)
                for n, s in self.inputs}


def drive_module(module, case, device):
    """Forward on the case's inputs, backward of sum(out * upstream); plain arrays out. The same
    driver runs the student's module (sandbox) and the reference (judge)."""
    import torch
    arrays = {}
    inputs = {n: t.requires_grad_(True) for n, t in case.tensors(device).items()}
    out = module(*inputs.values())
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"forward returned {type(out).__name__}, not a tensor")
    arrays["out"] = out.detach().cpu().double().numpy()
    arrays["out_dtype"] = np.array(str(out.dtype).replace("torch.", ""))
    upstream = torch.randn(*out.shape, generator=torch.Generator().manual_seed(40_000 + case.seed),
                           dtype=torch.float64).to(device=out.device, dtype=out.dtype)
    (out * upstream).sum().backward()
    for name, t in inputs.items():
        arrays[f"grad:{name}"] = (t.grad if t.grad is not None else torch.zeros_like(t)).detach().cpu().double().numpy()
    for name, p in module.named_parameters():
        if p.grad is not None:
            arrays[f"grad:param:{name}"] = p.grad.detach().cpu().double().numpy()
    return arrays


def _construct(cls, case, device):
    import torch
    torch.manual_seed(case.seed)
    module = cls(*case.args)
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"expected an nn.Module, got {type(module).__name__}")
    return module.to(device=device, dtype=getattr(torch, case.dtype))


def probe_module(cls, case, device, construct=_construct):
    """The student's module on one `ModuleCase`: its initial parameters, output and gradients."""
    arrays, info = {}, {}
    try:
        module = construct(cls, case, device)
        info["param_order"] = [n for n, _ in module.named_parameters()]
        # copies: a forward that edits its parameters in place must not change the initial ones
        arrays.update({f"param:{n}": p.detach().cpu().double().numpy().copy() for n, p in module.named_parameters()})
        arrays.update(drive_module(module, case, device))
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    return arrays, info


def signature_of(obj):
    """{callable: [[name, kind, repr(default) or None], ...]} of a class's constructor and forward
    (or of a function), for the judge to hold against the contract's; None where unreadable."""
    import inspect

    def params(fn):
        try:
            return [[p.name, p.kind.name, None if p.default is inspect.Parameter.empty else repr(p.default)]
                    for p in inspect.signature(fn).parameters.values() if p.name != "self"]
        except (TypeError, ValueError):
            return None
    if isinstance(obj, type):
        return {"__init__": params(obj.__init__), "forward": params(getattr(obj, "forward", None))
                if callable(getattr(obj, "forward", None)) else None}
    return {"__call__": params(obj)} if callable(obj) else None


# ---------------------------------------------------------------------------------------------
# A unit's probe spec, and the framework's loop
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Probe:
    """One unit's probe run: the unit's table row, the namespace its answer cell left, the hidden
    aspects to probe, the grading devices, and the files it reads ({name: path or None})."""
    unit: object
    scope: dict
    aspects: tuple
    devices: tuple
    files: dict = None

    @property
    def obj(self):
        return self.scope.get(self.unit.defines[0])

    def defined(self, name):
        return self.scope.get(name)


class UnitProbe:
    """How one unit's answer is probed: `cases` {aspect: [case, ...]}; `plan` pairs each case with
    a device (None for numpy units, every grading device when `on_devices`); `probe_case` runs the
    student's code on one case and returns plain data (arrays, info); `extras` adds infos after the
    plan's (aspect-wide checks). Pass `probe_case` / `extras` / `plan` as functions, or subclass."""

    on_devices = False

    def __init__(self, cases=None, probe_case=None, extras=None, plan=None, on_devices=None):
        self.cases = dict(cases or {})
        if probe_case is not None:
            self.probe_case = probe_case
        if extras is not None:
            self.extras = extras
        if plan is not None:
            self.plan = plan
        if on_devices is not None:
            self.on_devices = on_devices

    def describe(self, case):
        """How a case is named to the student (after "for ")."""
        return case.describe()

    def plan(self, aspect, devices):
        """The (case, device) pairs of one aspect, the same on the probe and the judge side."""
        cases = self.cases.get(aspect, [])
        if self.on_devices:
            return [(case, device) for case in cases for device in devices]
        return [(case, None) for case in cases]

    def probe_case(self, probe, aspect, case, device):
        raise NotImplementedError(f"{type(self).__name__} needs a probe_case")

    def extras(self, probe, aspect):
        """Infos of aspect-wide checks, appended after the plan's (none by default)."""
        return []

    def run(self, probe):
        """Every probe of the unit: ({aspect: [info, ...]}, {'<aspect>/<k>/<name>': array})."""
        infos, arrays = {}, {}
        for aspect in probe.aspects:
            infos[aspect] = []
            for k, (case, device) in enumerate(self.plan(aspect, probe.devices)):
                got, info = self.probe_case(probe, aspect, case, device)
                infos[aspect].append(info)
                arrays.update(harness.keyed(aspect, k, got))
            for info in self.extras(probe, aspect):   # marked: not a case's (see outcome.cell_outcome)
                infos[aspect].append(dict(info, extra=True))
        return infos, arrays


class PairProbe(UnitProbe):
    """A numpy forward/backward pair (the unit defines the forward, then the backward)."""

    def probe_case(self, probe, aspect, case, device):
        forward, backward = (probe.defined(n) for n in probe.unit.defines[:2])
        return probe_pair(forward, backward, case, aspect)


class FunctionProbe(UnitProbe):
    """A numpy function of several arrays."""

    def probe_case(self, probe, aspect, case, device):
        return probe_function(probe.obj, case)


class ModuleProbe(UnitProbe):
    """A torch module class: each case on every grading device (`ModuleCase`s by default: the
    constructor's arguments and the input shapes), plus the contract checks every module unit
    gets (`contract_aspect`'s extras): its signatures, and a second call on the first case's input
    in a fresh module, which must give the same output (no state kept between calls).

    A unit with its own cases overrides `construct`, `inputs` and `call` (how to build the module
    for a case and call it) and `probe_case`; the contract checks then use those."""

    on_devices = True
    contract_aspect = "forward"

    def construct(self, cls, case, device):
        return _construct(cls, case, device)

    def inputs(self, case, device):
        return tuple(case.tensors(device).values())

    def call(self, module, inputs):
        return module(*inputs)

    def probe_case(self, probe, aspect, case, device):
        import torch
        return probe_module(probe.obj, case, torch.device(device), construct=self.construct)

    def extras(self, probe, aspect):
        if aspect != self.contract_aspect:
            return []
        return [{"signature": signature_of(probe.obj)}, self._repeat_call(probe)]

    def _repeat_call(self, probe):
        """Whether the module's output depends on its earlier calls: one module is called on the
        first case's input, on it again, then on the next cases' inputs (those it accepts); each
        output is compared with a fresh module's (the same construction) on the same input. The
        judge decides with its tolerance; here only the largest difference and where it was."""
        import torch
        info = {"repeat": None}
        cases = [case for case, _ in self.plan(self.contract_aspect, ["cpu"])][:REPEAT_CASES]
        if not cases:
            return info
        cpu = torch.device("cpu")
        base = cases[0]
        try:
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")
                warm = self.construct(probe.obj, base, cpu)
                worst = {"max_abs_difference": 0.0, "scale": 0.0, "case": f"for {self.describe(base)}"}
                # the first input, again, the same shape with other values (a cache keyed by
                # shape), then the next cases' inputs
                calls = [(base, self.inputs(base, cpu)), (base, self.inputs(base, cpu)),
                         (base, _perturbed(self.inputs(base, cpu)))]
                calls += [(case, self.inputs(case, cpu)) for case in cases[1:]]
                for k, (case, inputs) in enumerate(calls):
                    torch.manual_seed(1234)            # dropout, if any, draws the same masks
                    try:
                        again = _first_tensor(self.call(warm, inputs))
                    except Exception:                  # an input this module does not take
                        continue
                    if k == 0:
                        continue                       # the first call has no earlier call
                    fresh_module = self.construct(probe.obj, base, cpu)
                    torch.manual_seed(1234)
                    fresh = _first_tensor(self.call(fresh_module, inputs))
                    if not (isinstance(again, torch.Tensor) and isinstance(fresh, torch.Tensor)):
                        continue
                    if again.shape != fresh.shape:
                        worst = {"max_abs_difference": float("inf"), "scale": 0.0,
                                 "case": f"for {self.describe(case)}"}
                        break
                    if fresh.numel():
                        diff = (again.double() - fresh.double()).abs().max().item()
                        if not diff <= worst["max_abs_difference"]:
                            worst = {"max_abs_difference": diff, "case": f"for {self.describe(case)}",
                                     "scale": fresh.double().abs().max().item(),
                                     "dtype": str(fresh.dtype).replace("torch.", "")}
                info["repeat"] = worst
        except Exception as err:   # the unit's own checks report errors; this one only compares
            info["repeat_error"] = harness.describe_exception(err)
        return info


REPEAT_CASES = 4     # cases of the contract aspect one module is called on in a row


def _perturbed(inputs):
    """`inputs` (tensors, tuples of them, None) with every floating tensor moved by a fixed noise:
    the same shapes and dtypes, other values."""
    import torch
    if isinstance(inputs, torch.Tensor):
        if inputs.is_floating_point():
            noise = torch.randn(inputs.shape, generator=torch.Generator().manual_seed(4321), dtype=torch.float64)
            return inputs + 0.5 * noise.to(device=inputs.device, dtype=inputs.dtype)
        return inputs
    if isinstance(inputs, (tuple, list)):
        return type(inputs)(_perturbed(x) for x in inputs)
    return inputs


def _first_tensor(out):
    """The tensor a forward returned, or the first of a tuple it returned."""
    if isinstance(out, (tuple, list)) and out:
        return _first_tensor(out[0])
    return out


KIND_PROBES = {"pair": PairProbe, "function": FunctionProbe, "module": ModuleProbe}


def kind_of(unit):
    """The generic kind a table row chooses: 'module' (a torch module), 'pair' (a numpy unit
    defining a forward and a backward) or 'function'; None for units without code."""
    from grader_tests.framework.contract import table
    if unit.kind == table.TORCH_MODULE:
        return "module"
    if unit.kind == table.NUMPY_FUNCTION and len(unit.defines) == 2:
        return "pair"
    if unit.kind in (table.NUMPY_FUNCTION, table.FUNCTION):
        return "function"
    return None


def probes_for(assignment_table, **specs):
    """{unit id: UnitProbe} for every code unit of the table: a unit's entry is a `UnitProbe`
    (its own), or the keyword arguments of the generic kind its row chooses (`kind_of`). A code
    unit without an entry, or an entry for no code unit, is an error here, not at grading time."""
    code = {u.id: u for u in assignment_table.code_units}
    unknown = set(specs) - set(code)
    missing = set(code) - set(specs)
    if unknown or missing:
        raise ValueError(f"{assignment_table.name}: probes for units not in the table {sorted(unknown)}, "
                         f"no probe for {sorted(missing)}")
    built = {}
    for unit_id, spec in specs.items():
        if isinstance(spec, UnitProbe):
            built[unit_id] = spec
        else:
            kind = kind_of(code[unit_id])
            if kind is None:
                raise ValueError(f"{unit_id}: no generic kind for a {code[unit_id].kind} unit; give it a UnitProbe")
            built[unit_id] = KIND_PROBES[kind](**spec)
    return built
