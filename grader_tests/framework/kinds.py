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

from grader_tests.framework import harness
from grader_tests.framework.numerics import (FD_TOLERANCE, close, matches_variant, max_abs_error,
                                             numerical_gradient)


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
# Judges (trusted side): the reference and the variants come from the assignment's judge
# ---------------------------------------------------------------------------------------------

def _variant_hint(variants, *args):
    """The hint of the first known wrong variant whose result matches, or None."""
    for compute, hint, got in variants:
        try:
            expected = compute(*args)
        except Exception:  # a variant that does not apply to this case
            continue
        if expected is not None and np.shape(expected) == np.shape(got) and matches_variant(got, expected):
            return hint
    return None


def judge_aspect(names, cases, aspect, infos, arrays, reference, variants=(), generic_hint=""):
    """The message for one hidden test of a generic unit (None: passed).

    - names: the unit's `defines`; cases: {aspect: [Case]}
    - reference: the reference forward (or function) and, for pairs, backward
    - variants: [(kind, compute, hint)]: kind 'out' (compute(inputs, extras) -> out) or 'grads'
      (compute(inputs, extras, dout) -> {name: grad}); the first matching names the likely bug
    """
    pair = len(names) == 2
    what = names[0]
    if len(infos) < len(cases[aspect]):
        return "The grader could not run every check on your code (it stopped early)."
    for k, case in enumerate(cases[aspect]):
        info = infos[k]
        got = harness.case_arrays(arrays, aspect, k)
        where = f"for {case.describe()}"
        hint = f" {case.hint}" if case.hint else ""
        if info.get("error") == "NotImplementedError":
            return f"{what} has not been answered yet (it raises NotImplementedError)."
        if "error" in info:
            culprit = names[1] if pair and "out" in got else what
            return f"{culprit} raised {info['error']} {where}. {case.hint or generic_hint}".rstrip()
        inputs = case.inputs()
        extras = case.extra_args()
        if pair:
            out_ref, cache = reference[0](*[inputs[n].copy() for n, _ in case.arrays], *extras)
        else:
            out_ref = reference[0](*[inputs[n].copy() for n, _ in case.arrays], *extras)
        out_ref = np.asarray(out_ref, dtype=np.float64)
        out = got.get("out")
        if out is None or out.shape != out_ref.shape:
            return (f"{what} returned shape {None if out is None else out.shape}, expected "
                    f"{out_ref.shape} {where}.{hint}")
        if not close(out, out_ref, "float64"):
            named = _variant_hint([(lambda c=c: c(inputs, case.extra_args()), h, out)
                                   for kind, c, h in variants if kind == "out"])
            return (f"{what}'s output differs from the expected values {where} (max abs error "
                    f"{max_abs_error(out, out_ref):.3g}). {named or case.hint or generic_hint}").strip()
        if info.get("modified_inputs"):
            return f"{what} modified its input(s) {', '.join(info['modified_inputs'])} in place {where}."
        if aspect != "backward":
            continue
        backward = names[1]
        if "grads_count" in info:
            return (f"{backward} returned {info['grads_count']} gradients {where}; expected "
                    f"{len(case.grad_names)} ({', '.join('d' + n for n in case.grad_names)}).")
        dout = case.upstream(out_ref.shape)
        grads_ref = reference[1](dout.copy(), cache)
        grads_ref = grads_ref if isinstance(grads_ref, (tuple, list)) else (grads_ref,)
        for name, expected in zip(case.grad_names, grads_ref):
            expected = np.asarray(expected, dtype=np.float64)
            mine = got.get(f"grad:{name}")
            if mine is None or mine.shape != expected.shape:
                return (f"d{name} has shape {None if mine is None else mine.shape}, expected "
                        f"{expected.shape} (the shape of {name}) {where}.")
            if not close(mine, expected, "float64"):
                named = _variant_hint([(lambda c=c: c(inputs, case.extra_args(), dout).get(name), h, mine)
                                       for kind, c, h in variants if kind == "grads"])
                return (f"d{name} differs from the expected gradient {where} (max abs error "
                        f"{max_abs_error(mine, expected):.3g}). {named or case.hint or generic_hint}").strip()
        for name in case.grad_names:
            num, mine = got.get(f"num:{name}"), got[f"grad:{name}"]
            if num is None:
                return "The grader could not compute finite differences of your forward pass."
            if max_abs_error(mine, num) > FD_TOLERANCE * max(1.0, float(np.abs(num).max())):
                return (f"Your d{name} disagrees with finite differences of your own {what} {where}: "
                        "the forward and backward passes compute different functions.")
    return None


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


def _by_order(arrays, order):
    """Parameter keys renamed to their registration index ('param:3', 'grad:param:3')."""
    index = {n: str(k) for k, n in enumerate(order)}
    renamed = {}
    for key, value in arrays.items():
        for prefix in ("grad:param:", "param:"):
            if key.startswith(prefix):
                key = prefix + index.get(key[len(prefix):], key[len(prefix):])
                break
        renamed[key] = value
    return renamed


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


def judge_module_aspect(name, cases, aspect, infos, arrays, devices, reference_cls, variants=(),
                        share="name"):
    """Compare a torch module with `reference_cls` (called with the case's arguments): the output
    for aspect 'forward', also every input and parameter gradient for 'backward'.
    share: 'name' copies the student's parameters into the reference by name (a contract that
    names the submodules); 'order' by registration order, shapes checked (an nn.Sequential whose
    layer indices are the student's choice); gradients are then compared in that order too.
    variants: [(module class, hint)]: a known wrong module whose output matches names the bug."""
    import torch
    pairs = [(c, d) for c in cases[aspect] for d in devices]
    if len(infos) < len(pairs):
        return "The grader could not run every check on your code (it stopped early)."
    for k, (case, device) in enumerate(pairs):
        info, where = infos[k], f"for {case.describe()} on {device}"
        got = harness.case_arrays(arrays, aspect, k)
        if info.get("error") == "NotImplementedError":
            return f"{name} has not been answered yet (it raises NotImplementedError)."
        if "error" in info:
            return f"{name} raised {info['error']} {where}.{' ' + case.hint if case.hint else ''}"
        if str(got.get("out_dtype")) != case.dtype:
            return (f"The output is {got.get('out_dtype')} {where}: keep the input's dtype (create "
                    "new tensors with the input's dtype and device).")
        order = [n for n in info.get("param_order", [])]
        params = {key[len("param:"):]: v for key, v in got.items() if key.startswith("param:")}
        if share == "order":
            got = _by_order(got, order)
            params = [params[n] for n in order if n in params]

        def build(cls):
            torch.manual_seed(case.seed)
            module = cls(*case.args).to(device=device, dtype=getattr(torch, case.dtype))
            state = dict(module.named_parameters())
            if share == "order":
                if len(state) != len(params) or any(tuple(p.shape) != v.shape for p, v in zip(state.values(), params)):
                    return None
                values = dict(zip(state, params))
            else:
                if set(state) != set(params) or any(tuple(state[n].shape) != params[n].shape for n in state):
                    return None
                values = params
            with torch.no_grad():
                for n, p in state.items():
                    p.copy_(torch.as_tensor(values[n]))
            return module
        reference = build(reference_cls)
        if reference is None:
            contract = [(n, tuple(p.shape)) for n, p in reference_cls(*case.args).named_parameters()]
            if share == "order":
                return (f"{name} has parameters of shapes {[tuple(v.shape) for v in params]} (in order); "
                        f"the contract's layers have {[s for _, s in contract]} {where}.")
            return (f"{name} has parameters {sorted(params)} with other names or shapes than the "
                    f"contract's {sorted(n for n, _ in contract)} {where}.")
        expected = drive_module(reference, case, torch.device(device))
        if share == "order":
            expected = _by_order(expected, [n for n, _ in reference.named_parameters()])
        keys = ["out"] + (sorted(k for k in expected if k.startswith("grad:")) if aspect == "backward" else [])
        for key in keys:
            mine = got.get(key)
            if mine is None and key.startswith("grad:param:"):
                pname = key[len("grad:param:"):]
                if share == "order" and int(pname) < len(order):
                    pname = order[int(pname)]
                return (f"The gradient of {pname} is missing {where}: every parameter must be used in "
                        "forward and stay in the autograd graph (no .detach() or .data).")
            if mine is None or mine.shape != expected[key].shape:
                return (f"{key.replace('grad:', 'the gradient of ')} has shape "
                        f"{None if mine is None else mine.shape}, expected {expected[key].shape} {where}.")
            if not close(mine, expected[key], case.dtype):
                named = None
                for variant_cls, hint in variants:
                    wrong = build(variant_cls)
                    if wrong is None:
                        continue
                    wrong_arrays = drive_module(wrong, case, torch.device(device))
                    if share == "order":
                        wrong_arrays = _by_order(wrong_arrays, [n for n, _ in wrong.named_parameters()])
                    if key in wrong_arrays and close(mine, wrong_arrays[key], case.dtype):
                        named = hint
                        break
                what = "the output" if key == "out" else key.replace("grad:param:", "the gradient of ").replace("grad:", "the gradient of input ")
                if share == "order" and key.startswith("grad:param:"):
                    k_param = int(key[len("grad:param:"):])
                    what = f"the gradient of your parameter {order[k_param] if k_param < len(order) else k_param}"
                return (f"{what} differs from the expected value {where} (max abs error "
                        f"{max_abs_error(mine, expected[key]):.3g}). {named or case.hint}").strip()
    return None
