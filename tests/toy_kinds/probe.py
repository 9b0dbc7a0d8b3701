"""Cases of the toy table; the probes are the generic kinds its rows choose."""
from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.sandboxed.kinds import Case, ModuleCase, probes_for
from toy_kinds.units import TABLE

N_IS_1 = Hint("toy:batch_size_1", "It fails only for N = 1.")
B_IS_1 = Hint("toy:module_batch_size_1", "It fails only for B = 1.")
AFFINE = [Case(1, (("x", (4, 3)), ("w", (3, 5)), ("b", (5,)))),
          Case(2, (("x", (1, 2)), ("w", (2, 1)), ("b", (1,))), hint=N_IS_1)]
SIGMOID = [Case(7, (("x", (3, 4)),)), Case(8, (("x", (1, 1)),), hint=N_IS_1)]
MODULE = [ModuleCase(5, (3, 4), (("x", (2, 3)),)),
          ModuleCase(6, (1, 2), (("x", (1, 1)),), dtype="float32", hint=B_IS_1)]

PROBES = probes_for(
    TABLE,
    affine={"cases": {"forward": AFFINE, "backward": AFFINE}},
    relu={"cases": {"values": [Case(3, (("x", (3, 4)),)), Case(4, (("x", (1, 1)),))]}},
    gated_layer={"cases": {"forward": MODULE, "backward": MODULE}},
    sigmoid={"cases": {"forward": SIGMOID, "backward": SIGMOID}},
)
