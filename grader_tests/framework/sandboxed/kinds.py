"""Generic probes and judges for the common kinds of numpy unit, so that a typical new unit is a
table row, its cases and its variants (no probe or judge code of its own):

- a forward/backward **pair** with a student-chosen cache (`forward(*arrays, *extras) -> (out,
  cache)`, `backward(dout, cache) -> grads`, cs231n style): forward values and every gradient
  against the reference pair, and the student's gradients against centred finite differences
  of the student's own forward (aspects `forward`, `backward`);
- a pure **function** on several inputs (`fn(*arrays, *extras) -> array`), against the reference
  (aspect `values`);
- a torch **module** (`ModuleCase`, `run_module_probes`, `judge_module_aspect`): output and every
  input and parameter gradient against a reference class, parameters copied by name, on every
  grading device.

Use: the unit's row gives `defines` (the forward then the backward name, or the function name)
and the assignment's probe module passes its cases to `run_probes`; the judge module passes its
reference callables and known wrong variants to `judge_aspect`. The probe half runs in the
sandbox (numpy only, no reference); the judge half in the trusted process.
"""
import copy
import dataclasses
import warnings

import numpy as np

from grader_tests.framework.sandboxed import harness
from grader_tests.framework.contract.numerics import numerical_gradient


@dataclasses.dataclass(frozen=True)
class Case:
    """One input of a numpy unit: arrays drawn from a seeded normal, plus extra arguments."""
    seed: int
    arrays: tuple                 # ((name, shape), ...) in the order of the positional arguments
    extras: tuple = ()            # further positional arguments (e.g. a conv_param dict)
    grads: tuple = None           # names of the arrays backward returns gradients for (default: all)
    hint: str = ""                # shown when this is the first failing case
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
    except NotImplementedError:
        info["error"] = "NotImplementedError"
    except Exception as err:  # the student's code raised: a verdict, not a grader failure
        info["error"] = harness.describe_exception(err)
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
    except NotImplementedError:
        info["error"] = "NotImplementedError"
    except Exception as err:
        info["error"] = harness.describe_exception(err)
    return arrays, info


def run_probes(scope_names, obj_or_scope, cases, aspects):
    """Every probe of a generic unit: ({aspect: [info]}, {'<aspect>/<k>/<name>': array}).

    - scope_names: the unit's `defines` (one function, or forward then backward)
    - obj_or_scope: the first defined object, or the namespace holding all of them
    - cases: {aspect: [Case, ...]}
    """
    scope = obj_or_scope if isinstance(obj_or_scope, dict) else {scope_names[0]: obj_or_scope}
    infos, arrays = {}, {}
    for aspect in aspects:
        infos[aspect] = []
        for k, case in enumerate(cases[aspect]):
            if len(scope_names) == 2:
                got, info = probe_pair(scope.get(scope_names[0]), scope.get(scope_names[1]), case, aspect)
            else:
                got, info = probe_function(scope.get(scope_names[0]), case)
            infos[aspect].append(info)
            arrays.update(harness.keyed(aspect, k, got))
    return infos, arrays


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
    hint: str = ""

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


def probe_module(cls, case, device):
    import torch
    arrays, info = {}, {}
    try:
        torch.manual_seed(case.seed)
        module = cls(*case.args)
        if not isinstance(module, torch.nn.Module):
            raise TypeError(f"expected an nn.Module, got {type(module).__name__}")
        module = module.to(device=device, dtype=getattr(torch, case.dtype))
        info["param_order"] = [n for n, _ in module.named_parameters()]
        arrays.update({f"param:{n}": p.detach().cpu().double().numpy() for n, p in module.named_parameters()})
        arrays.update(drive_module(module, case, device))
    except NotImplementedError:
        info["error"] = "NotImplementedError"
    except Exception as err:
        info["error"] = harness.describe_exception(err)
    return arrays, info


def run_module_probes(cls, cases, aspects, devices):
    """Probes of a torch-module unit on every (case, device): same key layout as `run_probes`."""
    import torch
    infos, arrays = {}, {}
    for aspect in aspects:
        infos[aspect] = []
        pairs = [(c, d) for c in cases[aspect] for d in devices]
        for k, (case, device) in enumerate(pairs):
            got, info = probe_module(cls, case, torch.device(device))
            infos[aspect].append(info)
            arrays.update(harness.keyed(aspect, k, got))
    return infos, arrays


