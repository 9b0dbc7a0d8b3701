"""The unit table of `bptt_from_scratch` (SPEC 4.4): one row per graded unit.

Cases and probes: `probe.py`; comparison with `reference/bptt_from_scratch.py` and the known
wrong variants: `judge.py`; corpus: `corpus/<unit>/`. Every code unit is numpy only.
"""
from grader_tests.framework.contract.rules import NUMPY_ONLY
from grader_tests.framework.contract.table import MANUAL, NUMPY_FUNCTION, Assignment, Test, Unit


def _pair(model, forward_points, backward_points):
    return (Test("forward", forward_points, f"{model} probabilities against the reference on several "
                                            "shapes (N = 1, T = 1, H = 1, D = 1)."),
            Test("backward", backward_points, f"every {model} gradient against the reference and "
                                              "against finite differences of your own forward pass, "
                                              "through all T steps, unclipped."))


TABLE = Assignment("bptt_from_scratch", ships=("human_activity.py", "handouts/bptt_helpers.py", "handouts/selfcheck.py"), units=(
    Unit("rnn_bptt", NUMPY_FUNCTION, defines=("rnn_forward", "rnn_backward"), rules=(NUMPY_ONLY,),
         tests=_pair("RNN", 2, 3)),
    Unit("lstm_bptt", NUMPY_FUNCTION, defines=("lstm_forward", "lstm_backward"), rules=(NUMPY_ONLY,),
         tests=_pair("LSTM", 2, 4)),
    Unit("gru_bptt", NUMPY_FUNCTION, defines=("gru_forward", "gru_backward"), rules=(NUMPY_ONLY,),
         tests=_pair("GRU", 2, 4)),
    Unit("momentum_step", NUMPY_FUNCTION, defines=("momentum_step",), rules=(NUMPY_ONLY,), tests=(
        Test("values", 2, "new parameters and velocity against the reference (velocity None, "
                          "clipping active, momentum 0)."),
        Test("pure", 1, "the inputs are left unchanged and new dicts are returned."))),
    Unit("confusion_matrix", NUMPY_FUNCTION, defines=("confusion_matrix",), rules=(NUMPY_ONLY,), tests=(
        Test("values", 2, "counts, orientation (rows actual) and dtype on several label sets, "
                          "absent classes included."),)),
    Unit("train_recurrent", NUMPY_FUNCTION, defines=("train_recurrent",), builds_on=("momentum_step",),
         rules=(NUMPY_ONLY,), tests=(
             Test("updates", 3, "the validation split, the mini-batches of every epoch and the "
                                "momentum updates, replayed on a reference model."),
             Test("stopping", 2, "early stopping after `patience` epochs without improvement, the "
                                 "best epoch's parameters returned, the history."),
             Test("rng", 1, "split and shuffles drawn from rng: the same seed gives the same run "
                            "whatever numpy's global state, another seed another split."))),
    Unit("comparison_discussion", MANUAL, points=4),
))
