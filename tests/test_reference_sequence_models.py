"""reference/sequence_models.py checked against torch's own recurrences and closed forms: the
from-scratch VanillaRNN and LSTM against nn.RNN and nn.LSTM with the same weights; the parameter
count against the LSTM's parameters; the XOR weights on every sequence; the activation ratios and
INTERVAL numerically; the judge's known wrong modules differ from the reference."""
import itertools

import numpy as np
import pytest
import torch

from grader_tests.sequence_models import judge
from grader_tests.sequence_models import probe as P
from reference import sequence_models as ref


def _scratch_and_torch(cls, D, H, C, seed=0):
    torch.manual_seed(seed)
    model = cls(5, D, H, C).double()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)
    return model


@pytest.mark.parametrize("D, form", [(1, "(B, T)"), (3, "(B, T, D)")])
def test_vanilla_rnn_matches_nn_rnn(D, form):
    model = _scratch_and_torch(ref.VanillaRNN, D, 6, 4)
    rnn = torch.nn.RNN(D, 6, batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(model.W_hx.T)
        rnn.weight_hh_l0.copy_(model.W_hh.T)
        rnn.bias_ih_l0.copy_(model.B_h)
        rnn.bias_hh_l0.zero_()
    x = torch.randn(3, 7, D, dtype=torch.float64)
    out, _ = rnn(x)
    expected = out[:, -1] @ model.W_ph + model.B_y
    got = model(x[..., 0] if form == "(B, T)" else x)
    assert torch.allclose(got, expected, atol=1e-12)


def test_lstm_matches_nn_lstm():
    model = _scratch_and_torch(ref.LSTM, 2, 5, 3)
    lstm = torch.nn.LSTM(2, 5, batch_first=True).double()
    with torch.no_grad():   # torch's gate order: input, forget, cell (g), output
        lstm.weight_ih_l0.copy_(torch.cat([model.W_ix, model.W_fx, model.W_gx, model.W_ox], 1).T)
        lstm.weight_hh_l0.copy_(torch.cat([model.W_ih, model.W_fh, model.W_gh, model.W_oh], 1).T)
        lstm.bias_ih_l0.copy_(torch.cat([model.B_i, model.B_f, model.B_g, model.B_o]))
        lstm.bias_hh_l0.zero_()
    x = torch.randn(4, 6, 2, dtype=torch.float64)
    out, _ = lstm(x)
    assert torch.allclose(model(x), out[:, -1] @ model.W_ph + model.B_y, atol=1e-12)


@pytest.mark.parametrize("size", P.PARAM_COUNT_SIZES)
def test_parameter_count_matches_the_lstm(size):
    D, H, C = size
    assert ref.lstm_num_params(D, H, C) == sum(p.numel() for p in ref.LSTM(5, D, H, C).parameters())


def test_sequence_modules_read_the_last_step_from_zeros():
    for cls in (ref.myRNN, ref.myGatedRNN, ref.myLSTM):
        torch.manual_seed(0)
        model = cls(4, 6, 3).double()
        x = torch.randn(2, 5, 4, dtype=torch.float64)
        out, _ = model.rnn(x)
        assert torch.allclose(model(x), model.fc(out[:, -1]), atol=1e-12)
        hidden = model.init_hidden(2)
        parts = hidden if isinstance(hidden, tuple) else (hidden,)
        assert all(h.shape == (1, 2, 6) and h.dtype == torch.float64 and not h.any() for h in parts)


def test_xor_weights_give_the_running_xor():
    for length in range(1, 9):
        for xs in itertools.product((0, 1), repeat=length):
            assert ref.run_xor_network(ref.XOR_WEIGHTS, ref.S1, xs) == list(itertools.accumulate(xs, lambda a, b: a ^ b))
    assert judge.JUDGES["xor_network"].judge_values("recurrent", {"XOR_WEIGHTS": {k: np.asarray(v).tolist() for k, v in
                                                                         ref.XOR_WEIGHTS.items()}, "S1": 0}) is None
    assert judge.JUDGES["xor_network"].judge_values("recurrent", {"XOR_WEIGHTS": ref.XOR_WEIGHTS, "S1": 1}) is not None


def test_activation_ratios_and_interval():
    eps = np.linspace(-0.9, 0.9, 181)
    s = 1 / (1 + np.exp(-eps))
    assert np.allclose(ref.rho(eps), s * (1 - s) / (1 - np.tanh(eps) ** 2))
    # the Maclaurin derivatives are the derivatives of the product forms
    assert np.allclose(ref.sigmoid_grad_approx(eps), (0.5 + eps / 4) * (0.5 - eps / 4))
    inside = eps[ref.sigmoid_grad_approx(eps) <= ref.tanh_grad_approx(eps)]
    low, high = ref.INTERVAL
    assert abs(inside.min() - low) < 0.01 and abs(inside.max() - high) < 0.01
    assert ref.rho_approx(np.array([0.05]))[0] == pytest.approx(0.25, rel=0.01)


@pytest.mark.parametrize("unit", list(judge.MODULES))
def test_known_wrong_modules_differ_from_the_reference(unit):
    reference, variants, _ = judge.MODULES[unit]
    case = P.module_cases(unit, "forward")[0]
    x = case.tensors("cpu")["x"]
    torch.manual_seed(1)
    expected = reference(*case.args).double()
    for variant_cls, hint in variants:
        wrong = variant_cls(*case.args).double()
        wrong.load_state_dict(expected.state_dict())
        assert not torch.allclose(wrong(x), expected(x), atol=1e-6), hint


def test_train_loop_is_deterministic_and_learns():
    params_a, losses_a = judge._reference_train(P.TRAIN_CASES[0])
    params_b, losses_b = judge._reference_train(P.TRAIN_CASES[0])
    assert all(np.array_equal(params_a[k], params_b[k]) for k in params_a)
    assert losses_a[-1] < losses_a[0]
