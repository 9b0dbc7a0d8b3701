"""A throwaway unit table for the framework's tests: one unit whose contract requires nn.LSTM,
one that must be written from scratch, both graded by the same probe and judge."""
from grader_tests.framework.contract.rules import FROM_SCRATCH, Requires
from grader_tests.framework.contract.table import TORCH_MODULE, Assignment, Test, Unit

TESTS = (Test("forward", 1, "logits shape"),)
TABLE = Assignment("toy_rules", package="toy_rules", units=(
    Unit("seq_lstm", TORCH_MODULE, defines=("SeqLSTM",), tests=TESTS, rules=(Requires("LSTM"),)),
    Unit("scratch_lstm", TORCH_MODULE, defines=("ScratchLSTM",), tests=TESTS, rules=(FROM_SCRATCH,)),
))
