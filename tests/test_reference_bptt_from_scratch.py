"""reference/bptt_from_scratch.py checked against PyTorch autograd (float64) and centred finite
differences; the judge's known wrong variants checked to be wrong; the grader's large-input case
checked to make clipping inside backward visible. The solutions' run is in test_grader.py."""
import numpy as np
import pytest

from grader_tests.bptt_from_scratch import judge
from grader_tests.bptt_from_scratch import probe as P
from grader_tests.framework.contract.numerics import numerical_gradient
from reference import bptt_from_scratch as ref

MODELS = ("rnn", "lstm", "gru")
WORST = {}


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(1e-12, float(np.max(np.abs(b)))))


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("case", P.PAIR_CASES, ids=lambda c: c.describe())
def test_forward_and_backward_match_autograd(model, case):
    X, params, Y = case.inputs(model)
    forward, backward = judge.REF_PAIR[model]
    probs, cache = forward(X, params)
    grads = backward(Y, cache)
    probs_t, grads_t = judge._variant_run(model, X, params, Y)
    assert set(grads) == set(params)
    errors = [rel(probs, probs_t)] + [rel(grads[k], grads_t[k]) for k in params]
    WORST[model] = max(WORST.get(model, 0.0), *errors)
    assert max(errors) < 1e-10, errors
    for k in params:
        assert grads[k].shape == params[k].shape


@pytest.mark.parametrize("model", MODELS)
def test_backward_matches_finite_differences(model):
    X, params, Y = P.PAIR_CASES[0].inputs(model)
    grads = judge.REF_PAIR[model][1](Y, judge.REF_PAIR[model][0](X, params)[1])
    for key in params:
        num = numerical_gradient(lambda: ref.cross_entropy(judge.REF_PAIR[model][0](X, params)[0], Y), params[key])
        assert np.max(np.abs(num - grads[key])) < 1e-7, key


@pytest.mark.parametrize("model", MODELS)
def test_large_input_case_makes_clipping_visible(model):
    case = next(c for c in P.BACKWARD_CASES if c.big)
    X, params, Y = case.inputs(model)
    grads = judge.REF_PAIR[model][1](Y, judge.REF_PAIR[model][0](X, params)[1])
    assert max(float(np.abs(g).max()) for g in grads.values()) > 15   # the largest clip the judge names


@pytest.mark.parametrize("model", MODELS)
def test_every_known_wrong_variant_is_wrong(model):
    """Each variant the judge names must differ from the reference on the first case: a variant
    equal to the reference would name a bug in a correct answer."""
    X, params, Y = P.PAIR_CASES[0].inputs(model)
    probs_ref, grads_ref = judge._variant_run(model, X, params, Y)
    for flags, _ in judge.FORWARD_VARIANTS[model]:
        probs, _ = judge._variant_run(model, X, params, Y, **flags)
        assert rel(probs, probs_ref) > 1e-4, flags
    for flags, _ in judge.grad_variants(model):
        _, grads = judge._variant_run(model, X, params, Y, **flags)
        assert max(rel(grads[k], grads_ref[k]) for k in params) > 1e-4, flags


def test_momentum_step_and_confusion_matrix():
    params, grads = {"w": np.array([1.0, -2.0])}, {"w": np.array([30.0, -0.5])}
    p1, v1 = ref.momentum_step(params, grads, None, 0.1, 0.9)
    assert np.allclose(v1["w"], [-1.0, 0.05]) and np.allclose(p1["w"], [0.0, -1.95])
    p2, v2 = ref.momentum_step(p1, grads, v1, 0.1, 0.9, clip=1.0)
    assert np.allclose(v2["w"], [-1.0, 0.095]) and np.allclose(p2["w"], p1["w"] + v2["w"])
    assert np.array_equal(params["w"], [1.0, -2.0])
    m = ref.confusion_matrix([0, 2, 2, 1], [0, 1, 2, 1], 4)
    assert m.dtype.kind == "i" and m.shape == (4, 4)
    assert m[2, 1] == 1 and m[1, 1] == 1 and m.sum() == 4


def test_train_recurrent_stops_on_the_scripted_table():
    """The scripted model behind the grader's stopping test behaves as the judge assumes."""
    for case in P.STOP_CASES:
        X, Y, params0 = case.data()
        per_epoch = -(-(case.N - case.n_val) // case.batch_size)
        forward = lambda X, p, c=case: (np.tile(P.scripted_probs(p["w"], c.scripted, per_epoch), (len(X), 1)), X)
        best, history = ref.train_recurrent(forward, lambda Y, cache: {"w": np.array([-1.0])}, params0, X, Y,
                                            case.lr, case.momentum, case.batch_size, case.max_epochs,
                                            np.random.default_rng(0), case.val_fraction, case.patience)
        E = len(history["val_loss"])
        assert np.allclose(history["val_loss"], case.scripted[:E])
        best_epoch = int(np.argmin(case.scripted[:E])) + 1
        assert best["w"][0] == best_epoch * per_epoch


def test_worst_relative_errors_printed():
    """Figures for the closing note (pytest -s): worst relative error vs autograd per model."""
    for model in MODELS:
        for case in P.PAIR_CASES:
            X, params, Y = case.inputs(model)
            grads = judge.REF_PAIR[model][1](Y, judge.REF_PAIR[model][0](X, params)[1])
            _, grads_t = judge._variant_run(model, X, params, Y)
            WORST[model] = max(WORST.get(model, 0.0), *(rel(grads[k], grads_t[k]) for k in params))
    print("\nworst relative error of the reference gradients vs PyTorch autograd (float64):",
          {m: f"{WORST[m]:.1e}" for m in MODELS})
    assert all(WORST[m] < 1e-10 for m in MODELS)
