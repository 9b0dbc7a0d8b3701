"""reference/recurrent_cells.py cross-checked against torch.nn with copied weights, and the
source notebook's solutions against the reference (one source of truth; every hidden test on the
solutions runs in test_grader.py)."""

import pytest
import torch
import torch.nn as nn

from conftest import ROOT
from grader_tests.framework.judging import namespace
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.pipeline import submission_builder as sb
from grader_tests.recurrent_cells.units import TABLE
from reference import recurrent_cells as ref

SOURCE = ROOT / "source" / "recurrent_cells" / "recurrent_cells.ipynb"


@pytest.fixture(autouse=True)
def float64_default():
    """These comparisons run in float64; the default dtype is restored for other test modules."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def copy_cell(torch_cell, our_cell):
    with torch.no_grad():
        our_cell.x2h.weight.copy_(torch_cell.weight_ih)
        our_cell.h2h.weight.copy_(torch_cell.weight_hh)
        if torch_cell.bias:
            our_cell.x2h.bias.copy_(torch_cell.bias_ih)
            our_cell.h2h.bias.copy_(torch_cell.bias_hh)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch", [1, 5])
def test_cells_match_torch(bias, batch):
    x, h, c = torch.randn(batch, 6), torch.randn(batch, 4), torch.randn(batch, 4)
    lstm, ours = nn.LSTMCell(6, 4, bias=bias), ref.LSTMCell(6, 4, bias)
    copy_cell(lstm, ours)
    for got, want in zip(ours(x, (h, c)), lstm(x, (h, c))):
        torch.testing.assert_close(got, want)
    gru, ours = nn.GRUCell(6, 4, bias=bias), ref.GRUCell(6, 4, bias)
    copy_cell(gru, ours)
    torch.testing.assert_close(ours(x, h), gru(x, h))
    torch.testing.assert_close(ours(x), gru(x))
    for nl in ("tanh", "relu"):
        rnn, ours = nn.RNNCell(6, 4, bias=bias, nonlinearity=nl), ref.BasicRNNCell(6, 4, bias, nl)
        copy_cell(rnn, ours)
        torch.testing.assert_close(ours(x, h), rnn(x, h))


TORCH_RNN = {"LSTM": lambda d, h, l, b: nn.LSTM(d, h, l, bias=b, batch_first=True),
             "GRU": lambda d, h, l, b: nn.GRU(d, h, l, bias=b, batch_first=True),
             "RNN_TANH": lambda d, h, l, b: nn.RNN(d, h, l, bias=b, batch_first=True),
             "RNN_RELU": lambda d, h, l, b: nn.RNN(d, h, l, nonlinearity="relu", bias=b, batch_first=True)}


def copy_stack(torch_rnn, cells):
    with torch.no_grad():
        for layer, cell in enumerate(cells):
            cell.x2h.weight.copy_(getattr(torch_rnn, f"weight_ih_l{layer}"))
            cell.h2h.weight.copy_(getattr(torch_rnn, f"weight_hh_l{layer}"))
            if torch_rnn.bias:
                cell.x2h.bias.copy_(getattr(torch_rnn, f"bias_ih_l{layer}"))
                cell.h2h.bias.copy_(getattr(torch_rnn, f"bias_hh_l{layer}"))


@pytest.mark.parametrize("mode", ref.MODES)
@pytest.mark.parametrize("shape", [(3, 5, 2, True), (1, 1, 1, True), (2, 4, 3, False)])
def test_models_match_torch(mode, shape):
    B, T, L, bias = shape
    x = torch.randn(B, T, 6)
    torch_rnn = TORCH_RNN[mode](6, 4, L, bias)
    model = ref.RNNModel(mode, 6, 4, L, bias, 3)
    copy_stack(torch_rnn, model.rnn_cell_list)
    out, _ = torch_rnn(x)
    torch.testing.assert_close(model(x), model.fc(out[:, -1]))
    # bidirectional: two independent one-direction torch modules, the second fed input.flip(1)
    fwd, bwd = TORCH_RNN[mode](6, 4, L, bias), TORCH_RNN[mode](6, 4, L, bias)
    bidir = ref.BidirRecurrentModel(mode, 6, 4, L, bias, 3)
    copy_stack(fwd, bidir.rnn_cell_list)
    copy_stack(bwd, bidir.rnn_cell_list_rev)
    top = torch.cat([fwd(x)[0][:, -1], bwd(x.flip(1))[0][:, -1]], dim=1)
    torch.testing.assert_close(bidir(x), bidir.fc(top))


def test_invalid_mode():
    for cls in (ref.RNNModel, ref.BidirRecurrentModel):
        with pytest.raises(ValueError):
            cls("LSTMX", 3, 4, 1, True, 2)


def test_source_solution_values_equal_reference():
    solution = sb.solutions(SOURCE)
    for unit in TABLE.code_units:
        unit, (name,) = unit.id, unit.defines
        scope = harness.namespace_from(namespace.given_for(TABLE, unit))
        exec(solution[unit], scope)
        theirs, ours = scope[name], getattr(ref, name)
        args = (5, 4, True) if "cell" in unit else ("GRU", 5, 4, 2, True, 3)
        x = torch.randn(2, 5) if "cell" in unit else torch.randn(2, 3, 5)
        a, b = theirs(*args), ours(*args)
        b.load_state_dict(a.state_dict())
        out_a, out_b = a(x), b(x)
        torch.testing.assert_close(out_a, out_b)


def test_identification_key_matches_source():
    scope = {}
    exec(sb.solutions(SOURCE)["model_identification"], scope)
    assert {k: scope[k] for k in ref.MODEL_IDENTIFICATION} == ref.MODEL_IDENTIFICATION
