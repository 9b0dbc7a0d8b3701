"""The judges of the generic kinds (grader_tests/framework/sandboxed/kinds.py has their cases and
probes): the student's data against the reference the assignment's judge passes in."""
import numpy as np

from grader_tests.framework.contract.numerics import FD_TOLERANCE, close, matches_variant, max_abs_error
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.sandboxed.kinds import drive_module


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
