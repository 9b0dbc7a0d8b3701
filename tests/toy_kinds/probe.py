"""Cases of the toy table; the probes are the framework's generic ones."""
from grader_tests.framework.sandboxed import kinds
from toy_kinds.units import TABLE

AFFINE = [kinds.Case(1, (("x", (4, 3)), ("w", (3, 5)), ("b", (5,)))),
          kinds.Case(2, (("x", (1, 2)), ("w", (2, 1)), ("b", (1,))), hint="It fails only for N = 1.")]
MODULE = [kinds.ModuleCase(5, (3, 4), (("x", (2, 3)),)),
          kinds.ModuleCase(6, (1, 2), (("x", (1, 1)),), dtype="float32", hint="It fails only for B = 1.")]
CASES = {"affine": {"forward": AFFINE, "backward": AFFINE},
         "gated_layer": {"forward": MODULE, "backward": MODULE},
         "relu": {"values": [kinds.Case(3, (("x", (3, 4)),)), kinds.Case(4, (("x", (1, 1)),))]}}


def run_probes(unit, obj, aspects, devices):
    if unit == "gated_layer":
        return kinds.run_module_probes(obj, CASES[unit], aspects, devices)
    return kinds.run_probes(TABLE.unit(unit).defines, obj, CASES[unit], aspects)
