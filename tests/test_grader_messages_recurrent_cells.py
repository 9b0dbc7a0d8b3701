"""What a failing hidden test tells the student: the likely bug, the input, no grader internals.

(The whole corpus runs through real nbgrader in test_pipeline_recurrent_cells.py; these run the
checks in-process on the seed's bugs to pin down the messages.)
"""
import re

import pytest

from grader_tests import recurrent_cells as checks
from grader_tests import submission_builder as sb
from grader_tests.harness import GradingFailure


def corpus(unit, name):
    return (sb.CORPUS / "recurrent_cells" / unit / f"{name}.py").read_text()


def failure(unit, aspect, name):
    with pytest.raises(GradingFailure) as info:
        checks.run_check(unit, aspect, source=corpus(unit, name))
    message = str(info.value)
    for internal in ("grader_tests", "reference", "Traceback", "ref.", ".py"):
        assert internal not in message, message
    assert not re.search(r"(/[\w.-]+){2,}", message), message
    assert len(message) < 500, message
    return message


@pytest.mark.parametrize("unit, aspect, name, expected", [
    ("gru_cell", "forward", "wrong_blend_uses_h_n", "must use the previous state h"),
    ("gru_cell", "forward", "wrong_reset_on_h", "applies it to h2h's new-gate chunk"),
    ("gru_cell", "forward", "wrong_z_swapped", "z and 1 - z are swapped"),
    ("gru_cell", "forward", "wrong_chunk_order_zr", "reset, update, new"),
    ("lstm_cell", "forward", "wrong_gate_order_if", "input, forget, cell candidate, output"),
    ("lstm_cell", "forward", "wrong_squeeze_batch1", "batch size 1"),
    ("lstm_cell", "forward", "wrong_returns_c_h", "return (h_next, c_next)"),
    ("lstm_cell", "forward", "wrong_cpu_zeros", "input's device"),
    ("lstm_cell", "forward", "wrong_float32_zeros", "dtype"),
    ("lstm_cell", "structure", "wrong_default_init", "1/sqrt(hidden_size)"),
    ("rnn_model", "forward", "wrong_squeeze_output", "batch size 1"),
    ("rnn_model", "forward", "wrong_state_kept_across_calls", "start from zero states"),
    ("rnn_model", "structure", "wrong_no_valueerror", "ValueError"),
    ("bidir_model", "forward", "wrong_reuses_forward_cells", "uses the forward cells"),
    ("bidir_model", "forward", "wrong_concat_order_bwd_fwd", "wrong order"),
])
def test_seed_and_common_bugs_are_named(unit, aspect, name, expected):
    assert expected in failure(unit, aspect, name)


@pytest.mark.parametrize("name", ["wrong_uninit_tensor_state", "wrong_uninit_empty_state"])
def test_uninitialised_state_is_exposed(name):
    message = failure("rnn_model", "forward", name)
    assert "NaN" in message or "dtype" in message or "device" in message


@pytest.mark.parametrize("unit, name", [("lstm_cell", "wrong_from_scratch_nn_lstmcell"),
                                        ("gru_cell", "wrong_from_scratch_getattr_gru_cell"),
                                        ("rnn_model", "wrong_from_scratch_fused_cells")])
def test_from_scratch_rule_scores_zero_on_every_aspect(unit, name):
    for aspect in ("forward", "backward", "structure"):
        assert "from scratch" in failure(unit, aspect, name)
    with pytest.raises(GradingFailure, match="from scratch"):
        _visible(unit, corpus(unit, name))


def _visible(unit, source):
    cls = checks.load_unit(unit, source)
    case = checks.CELL_CASES[0] if "cell" in unit else checks.MODEL_CASES[0]
    _, info = checks.probe(unit, cls, case, checks.torch.device("cpu"), backward=False)
    if info.get("forbidden"):
        raise GradingFailure(info["forbidden"])


def test_unanswered_cell_says_so():
    release_stub = "class LSTMCell(nn.Module):\n    def __init__(self, *a):\n        super().__init__()\n        raise NotImplementedError()\n"
    with pytest.raises(GradingFailure, match="not been answered yet|NotImplementedError"):
        checks.run_check("lstm_cell", "forward", source=release_stub)


def test_syntax_error_in_answer_cell():
    with pytest.raises(GradingFailure, match="syntax error"):
        checks.run_check("gru_cell", "forward", source="class GRUCell(nn.Module:\n    pass\n")


def test_dependent_unit_bound_to_reference_cells():
    """rnn_model is graded with the reference LSTMCell even if it refers to it at class level."""
    source = sb.solutions(checks.ref.__file__.replace("reference/recurrent_cells.py",
                                                      "source/recurrent_cells/recurrent_cells.ipynb"))["rnn_model"]
    import inspect
    assert inspect.getsource(checks.ref.LSTMCell) in checks.given_source("rnn_model")
    checks.run_check("rnn_model", "forward", source="CellAlias = LSTMCell\n" + source)
