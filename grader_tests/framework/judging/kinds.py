"""How a unit's probe data is judged, in the trusted process: the framework's loop over the
unit's plan (`UnitJudge.judge`: the checks every unit shares), and the judges of the generic
kinds (grader_tests/framework/sandboxed/kinds.py has their probes):

- every unit: the grader could not run every check ("stopped early"), an answer that still
  raises NotImplementedError ("not answered yet"), an answer that raised on a case (named with
  the input, and the case's hint when it has one); then the unit's own `judge_case`;
- `PairJudge`: the forward's output and every gradient against the reference pair, a known wrong
  variant naming the likely bug, no input edited in place, and the student's gradients against
  finite differences of the student's own forward;
- `FunctionJudge`: the function's output against the reference;
- `ModuleJudge`: a torch module's output and gradients against the reference class with the
  student's parameters copied in (by name, or by registration order), the output's dtype; and,
  for every module unit, the contract checks: the constructor's and forward's defaults are the
  reference's, and a second call on the same input gives the same output.

A unit's judge is registered under its id in its assignment's judge module (`JUDGES`, built by
`judges_for`, which checks every code unit has one). Every verdict is a
grader_tests/framework/contract/verdict.py `Verdict`.
"""
import numpy as np

from grader_tests.framework.contract import verdict as v
from grader_tests.framework.contract.numerics import FD_TOLERANCE, close, matches_variant, max_abs_error
from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.sandboxed.kinds import drive_module, kind_of

FD_MISMATCH = Hint("forward_backward_disagree",
                   "The forward and backward passes compute different functions: check the backward "
                   "against the forward's formula.")
KEEPS_STATE = Hint("state_between_calls",
                   "Its output depends on its earlier calls: every call must start from fresh state "
                   "(don't keep states, caches or counters in self between calls).")
SIGNATURE = Hint("constructor_defaults",
                 "Keep the contract's signature and defaults: the notebook's own cells and the "
                 "grader call it that way.")
PARAMETERS_DETACHED = Hint("gradient_missing",
                           "Every parameter must be used in forward and stay in the autograd graph "
                           "(no .detach() or .data).")
KEEP_DTYPE = Hint("output_dtype",
                  "Keep the input's dtype: create new tensors with the input's dtype and device.")


class Judging:
    """One hidden test's judging: the unit's row, the aspect, the probe's infos and arrays, the
    grading devices and the unit's probe spec (its plan)."""

    def __init__(self, unit, aspect, infos, arrays, devices, probe):
        self.unit, self.aspect, self.infos, self.arrays = unit, aspect, infos, arrays
        self.devices, self.probe = devices, probe

    @property
    def name(self):
        return self.unit.defines[0]


class UnitJudge:
    """How one unit's probe data is judged: the framework's loop (`judge`) over the probe spec's
    plan, and this unit's `judge_case` (a verdict for one case's data, None when it agrees with the
    reference) and `judge_extras` (the infos the probe appended after the plan's). Pass them as
    functions or subclass. `reference`: the contract's class or function, for the contract checks;
    `given_extra`: code the answer's namespace gets after the notebook's given cells.
    """

    reference = None
    given_extra = ""    # code the answer's namespace gets after the notebook's (judging/namespace.py)

    def __init__(self, judge_case=None, judge_extras=None, judge_values=None, reference=None,
                 judge_error=None, given_extra=None):
        if judge_case is not None:
            self.judge_case = judge_case
        if judge_extras is not None:
            self.judge_extras = judge_extras
        if judge_values is not None:
            self.judge_values = judge_values
        if judge_error is not None:
            self.judge_error = judge_error
        if reference is not None:
            self.reference = reference
        if given_extra is not None:
            self.given_extra = given_extra

    def where(self, case, device, probe=None):
        """"for <the case> on <device>", as the student reads it."""
        text = probe.describe(case) if probe is not None else case.describe()
        return f"for {text}" + (f" on {device}" if device else "")

    def judge(self, judging):
        """The verdict of one hidden test, None when every check agrees."""
        plan = judging.probe.plan(judging.aspect, judging.devices)
        if len(judging.infos) < len(plan):
            return v.stopped_early()
        for k, (case, device) in enumerate(plan):
            info = judging.infos[k]
            got = harness.case_arrays(judging.arrays, judging.aspect, k)
            found = (self.judge_error(judging, case, device, got, info)
                     or self.judge_case(judging, case, device, got, info))
            if found:
                return found
        return self.judge_extras(judging, judging.infos[len(plan):])

    def judge_error(self, judging, case, device, got, info):
        """The student's code did not run on this case: not answered yet, or it raised."""
        if str(info.get("error", "")).startswith("NotImplementedError"):
            return v.not_answered(judging.name)
        if "error" in info:
            return v.raised(self.culprit(judging, info), info["error"], self.where(case, device),
                            getattr(case, "hint", None))
        return None

    def culprit(self, judging, info):
        return judging.name

    def judge_case(self, judging, case, device, got, info):
        return None

    def judge_extras(self, judging, extras):
        return None

    def judge_values(self, aspect, values):
        raise NotImplementedError(f"{type(self).__name__} judges no value unit")


# ---------------------------------------------------------------------------------------------
# numpy: a forward/backward pair, a function
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


class PairJudge(UnitJudge):
    """A numpy unit against its reference: `reference` (forward, backward) for a pair, (fn,) for a
    function; `variants` [(kind, compute, Hint)]: kind 'out' (compute(inputs, extras) -> out) or
    'grads' (compute(inputs, extras, dout) -> {name: grad}), the first that matches names the
    likely bug; `hint`: the hint when none matches and the case has none."""

    def __init__(self, reference, variants=(), hint=None, **kwargs):
        super().__init__(reference=reference, **kwargs)
        self.variants, self.generic_hint = tuple(variants), hint

    def culprit(self, judging, info):
        return judging.unit.defines[0]

    def _hint(self, case, named=None):
        return named or getattr(case, "hint", None) or self.generic_hint

    def judge_error(self, judging, case, device, got, info):
        if "error" in info and not str(info["error"]).startswith("NotImplementedError"):
            pair = len(judging.unit.defines) == 2      # the backward raised once the forward ran
            culprit = judging.unit.defines[1] if pair and "out" in got else judging.unit.defines[0]
            return v.raised(culprit, info["error"], self.where(case, device), self._hint(case))
        return super().judge_error(judging, case, device, got, info)

    def judge_case(self, judging, case, device, got, info):
        names, what = judging.unit.defines, judging.unit.defines[0]
        pair = len(names) == 2
        where = self.where(case, device)
        inputs, extras = case.inputs(), case.extra_args()
        arrays_in = [inputs[n].copy() for n, _ in case.arrays]
        if pair:
            out_ref, cache = self.reference[0](*arrays_in, *extras)
        else:
            out_ref = self.reference[0](*arrays_in, *extras)
        out_ref = np.asarray(out_ref, dtype=np.float64)
        out = got.get("out")
        if out is None or out.shape != out_ref.shape:
            return v.wrong_shape(f"{what}'s output", None if out is None else out.shape, out_ref.shape,
                                 where, getattr(case, "hint", None))
        if not close(out, out_ref, "float64"):
            named = _variant_hint([(lambda c=c: c(inputs, case.extra_args()), h, out)
                                   for kind, c, h in self.variants if kind == "out"])
            return v.values_differ(f"{what}'s output", where, max_abs_error(out, out_ref), self._hint(case, named),
                                   expected="the expected values")
        if info.get("modified_inputs"):
            return v.contract(what, f"modified its input(s) {', '.join(info['modified_inputs'])} in place", where,
                              symptom="inplace")
        if judging.aspect != "backward":
            return None
        backward = names[1]
        if "grads_count" in info:
            return v.contract(backward, f"returned {info['grads_count']} gradients; expected "
                              f"{len(case.grad_names)} ({', '.join('d' + n for n in case.grad_names)})", where)
        dout = case.upstream(out_ref.shape)
        grads_ref = self.reference[1](dout.copy(), cache)
        grads_ref = grads_ref if isinstance(grads_ref, (tuple, list)) else (grads_ref,)
        for name, expected in zip(case.grad_names, grads_ref):
            expected = np.asarray(expected, dtype=np.float64)
            mine = got.get(f"grad:{name}")
            if mine is None or mine.shape != expected.shape:
                return v.wrong_shape(f"d{name}", None if mine is None else mine.shape,
                                     f"{expected.shape} (the shape of {name})", where)
            if not close(mine, expected, "float64"):
                named = _variant_hint([(lambda c=c: c(inputs, case.extra_args(), dout).get(name), h, mine)
                                       for kind, c, h in self.variants if kind == "grads"])
                return v.values_differ(f"d{name}", where, max_abs_error(mine, expected), self._hint(case, named),
                                       expected="the expected gradient", symptom="gradient")
        for name in case.grad_names:
            num, mine = got.get(f"num:{name}"), got[f"grad:{name}"]
            if num is None:
                return v.contract(f"d{name}", "could not be checked against finite differences of your forward "
                                  "pass (the grader's run stopped)", where, symptom="run")
            if max_abs_error(mine, num) > FD_TOLERANCE * max(1.0, float(np.abs(num).max())):
                return v.failed(f"Your d{name}", f"disagrees with finite differences of your own {what}", where,
                                FD_MISMATCH, "gradient")
        return None


FunctionJudge = PairJudge   # the same checks; a function's reference is a 1-tuple


# ---------------------------------------------------------------------------------------------
# A torch module, and the contract checks every module unit gets
# ---------------------------------------------------------------------------------------------

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


def contract_signature(reference):
    """The reference's signatures as `sandboxed.kinds.signature_of` records them."""
    from grader_tests.framework.sandboxed.kinds import signature_of
    return signature_of(reference)


def judge_signature(name, got, reference):
    """A verdict when the student's constructor or forward lacks a parameter the contract's has
    a default for, or gives it another default; None when they agree (or cannot be read)."""
    if not got or reference is None:
        return None
    expected = contract_signature(reference) or {}
    for method, params in expected.items():
        mine = got.get(method)
        if not params or mine is None:
            continue
        where = "constructor" if method == "__init__" else f"{method}()"
        theirs = {p[0]: p for p in mine}
        positional = [p for p in mine if p[1] in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")]
        keyword_catchall = any(p[1] == "VAR_KEYWORD" for p in mine)
        for k, (pname, kind, default) in enumerate(params):
            if default is None:
                continue
            found = theirs.get(pname)
            if found is None and kind != "KEYWORD_ONLY" and k < len(positional):
                found = positional[k]
            if found is None:
                if keyword_catchall:
                    continue
                return v.contract(f"{name}'s {where}", f"has no parameter {pname} (the contract's default is "
                                  f"{pname}={default})", hint=SIGNATURE, symptom="signature")
            if found[2] != default:
                shown = f"no default for {found[0]}" if found[2] is None else f"{found[0]}={found[2]} by default"
                return v.contract(f"{name}'s {where}", f"has {shown}; the contract's default is {pname}={default}",
                                  hint=SIGNATURE, symptom="signature")
    return None


def judge_module_contract(name, extras, reference, dtype="float64"):
    """The checks every module unit gets (`ModuleProbe.extras`): signatures, then a repeated call."""
    infos = {k: i[k] for i in extras if isinstance(i, dict) for k in i}
    found = judge_signature(name, infos.get("signature"), reference)
    if found:
        return found
    repeat = infos.get("repeat")
    if repeat and not _within(repeat["max_abs_difference"], repeat.get("scale", 0.0), repeat.get("dtype", dtype)):
        return v.failed(name, "gave a different output after earlier calls than a fresh module does",
                        repeat.get("case", ""), KEEPS_STATE, "state", repeat["max_abs_difference"])
    return None


def _within(difference, scale, dtype):
    """Whether a difference between two outputs of one computation is rounding at `dtype`."""
    return bool(close(np.array([difference + scale]), np.array([scale]), dtype))


class ModuleJudge(UnitJudge):
    """A torch module against `reference` (a class called with the case's arguments): the output
    for aspect 'forward', also every input and parameter gradient for 'backward'. `share`: 'name'
    copies the student's parameters into the reference by name (a contract that names the
    submodules), 'order' by registration order with shapes checked (an nn.Sequential whose layer
    indices are the student's choice); `variants` [(module class, Hint)]: a known wrong module
    whose output matches names the bug."""

    def __init__(self, reference, variants=(), share="name", hint=None, **kwargs):
        super().__init__(reference=reference, **kwargs)
        self.variants, self.share, self.generic_hint = tuple(variants), share, hint

    def judge_extras(self, judging, extras):
        return judge_module_contract(judging.name, extras, self.reference)

    def judge_case(self, judging, case, device, got, info):
        import torch
        name, where = judging.name, self.where(case, device)
        if str(got.get("out_dtype")) != case.dtype:
            return v.contract("The output", f"is {got.get('out_dtype')}", where, KEEP_DTYPE, "dtype")
        order = list(info.get("param_order", []))
        params = {key[len("param:"):]: value for key, value in got.items() if key.startswith("param:")}
        if self.share == "order":
            got = _by_order(got, order)
            params = [params[n] for n in order if n in params]

        def build(cls):
            torch.manual_seed(case.seed)
            module = cls(*case.args).to(device=device, dtype=getattr(torch, case.dtype))
            state = dict(module.named_parameters())
            if self.share == "order":
                if len(state) != len(params) or any(tuple(p.shape) != value.shape
                                                    for p, value in zip(state.values(), params)):
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

        reference = build(self.reference)
        if reference is None:
            contract = [(n, tuple(p.shape)) for n, p in self.reference(*case.args).named_parameters()]
            if self.share == "order":
                return v.contract(name, f"has parameters of shapes {[tuple(x.shape) for x in params]} (in order); "
                                  f"the contract's layers have {[s for _, s in contract]}", where, symptom="missing")
            return v.contract(name, f"has parameters {sorted(params)} with other names or shapes than the "
                              f"contract's {sorted(n for n, _ in contract)}", where, symptom="missing")
        expected = drive_module(reference, case, torch.device(device))
        if self.share == "order":
            expected = _by_order(expected, [n for n, _ in reference.named_parameters()])
        keys = ["out"] + (sorted(k for k in expected if k.startswith("grad:")) if judging.aspect == "backward" else [])
        for key in keys:
            mine = got.get(key)
            label = self._label(key, order)
            if mine is None and key.startswith("grad:param:"):
                return v.contract(label, "is missing", where, PARAMETERS_DETACHED, "missing")
            if mine is None or mine.shape != expected[key].shape:
                return v.wrong_shape(label, None if mine is None else mine.shape, expected[key].shape, where,
                                     getattr(case, "hint", None))
            if not close(mine, expected[key], case.dtype):
                return v.values_differ(label, where, max_abs_error(mine, expected[key]),
                                       self._variant(case, device, key, mine, build) or getattr(case, "hint", None)
                                       or self.generic_hint, symptom="values" if key == "out" else "gradient")
        return None

    def _label(self, key, order):
        if key == "out":
            return "The output"
        if key.startswith("grad:param:"):
            pname = key[len("grad:param:"):]
            if self.share == "order" and pname.isdigit():
                k = int(pname)
                return f"The gradient of your parameter {order[k] if k < len(order) else k}"
            return f"The gradient of {pname}"
        return f"The gradient of input {key[len('grad:'):]}"

    def _variant(self, case, device, key, mine, build):
        import torch
        for variant_cls, hint in self.variants:
            wrong = build(variant_cls)
            if wrong is None:
                continue
            wrong_arrays = drive_module(wrong, case, torch.device(device))
            if self.share == "order":
                wrong_arrays = _by_order(wrong_arrays, [n for n, _ in wrong.named_parameters()])
            if key in wrong_arrays and close(mine, wrong_arrays[key], case.dtype):
                return hint
        return None


KIND_JUDGES = {"pair": PairJudge, "function": FunctionJudge, "module": ModuleJudge}


def judges_for(assignment_table, probes, **specs):
    """{unit id: UnitJudge} for every unit of the table graded by code or by value: an entry is a
    `UnitJudge` (its own), or the keyword arguments of the generic kind its row chooses. A unit
    without an entry, or an entry for no such unit, is an error here, not at grading time."""
    from grader_tests.framework.contract import table
    graded = {u.id: u for u in assignment_table.units if u.is_code or u.kind == table.VALUE}
    unknown, missing = set(specs) - set(graded), set(graded) - set(specs)
    if unknown or missing:
        raise ValueError(f"{assignment_table.name}: judges for units not in the table {sorted(unknown)}, "
                         f"no judge for {sorted(missing)}")
    if set(probes) != {u.id for u in assignment_table.code_units}:
        raise ValueError(f"{assignment_table.name}: the probes do not cover the code units")
    built = {}
    for unit_id, spec in specs.items():
        if isinstance(spec, UnitJudge):
            built[unit_id] = spec
        else:
            kind = kind_of(graded[unit_id])
            if kind is None:
                raise ValueError(f"{unit_id}: no generic kind for a {graded[unit_id].kind} unit; give it a UnitJudge")
            built[unit_id] = KIND_JUDGES[kind](**spec)
    return built
