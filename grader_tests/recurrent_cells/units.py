"""The unit table of `recurrent_cells` (SPEC 4.1): one row per graded unit.

Cases and probes: `probe.py`; comparison with `reference/recurrent_cells.py` and the known
wrong variants: `judge.py`; corpus: `corpus/<unit>/`.
"""
from grader_tests.framework.contract.rules import FROM_SCRATCH
from grader_tests.framework.contract.table import MANUAL, TORCH_MODULE, VALUE, Assignment, Test, Unit


def _module_tests(label):
    return (
        Test(None, 1, hidden=False),
        Test("forward", 3, f"{label} forward values against the reference on several shapes (batch "
                           "size 1 included), float32 and float64, CPU and GPU."),
        Test("backward", 2, f"{label} gradients (autograd through your module) against the "
                            "reference, with shared parameters."),
        Test("structure", 1, f"{label} parameter names, shapes and initialisation."),
    )


TABLE = Assignment("recurrent_cells", ships=("speech_commands.py", "handouts/selfcheck.py"),
                   given_cells=("setup", "basic_rnn_cell"), units=(
    Unit("lstm_cell", TORCH_MODULE, defines=("LSTMCell",), tests=_module_tests("LSTMCell"),
         rules=(FROM_SCRATCH,)),
    Unit("gru_cell", TORCH_MODULE, defines=("GRUCell",), tests=_module_tests("GRUCell"),
         rules=(FROM_SCRATCH,)),
    Unit("rnn_model", TORCH_MODULE, defines=("RNNModel",), tests=_module_tests("RNNModel"),
         builds_on=("lstm_cell", "gru_cell"), rules=(FROM_SCRATCH,)),
    Unit("bidir_model", TORCH_MODULE, defines=("BidirRecurrentModel",),
         tests=_module_tests("BidirRecurrentModel"), builds_on=("lstm_cell", "gru_cell"),
         rules=(FROM_SCRATCH,)),
    Unit("theory_vanishing", MANUAL, points=3),
    Unit("theory_lstm", MANUAL, points=2),
    Unit("model_identification", VALUE, defines=("A_model", "B_model", "C_model"),
         tests=tuple(Test(k, 1, f"is {k}_model the model that drew curve {k}?") for k in "ABC")),
    Unit("theory_model_choice", MANUAL, points=3),
))
