"""reference/sparse_autoencoder.py checked against PyTorch autograd (float64) and centred finite
differences; the PyTorch preprocessing against numpy; the source notebook's solutions against
every check (one source of truth: the solutions' run is in test_grader.py)."""
import json

import numpy as np
import pytest

from conftest import ROOT
from grader_tests.framework.judging import checks as framework_checks
from grader_tests.framework.judging import namespace
from grader_tests.framework.sandboxed import harness
from grader_tests.sparse_autoencoder import probe as checks
from grader_tests.sparse_autoencoder.units import TABLE
from reference import sparse_autoencoder as ref

SOURCE = ROOT / "source" / "sparse_autoencoder" / "sparse_autoencoder.ipynb"
CASES = checks.AE_CASES + checks.FD_CASES


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(1e-12, float(np.max(np.abs(b)))))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.describe())
def test_cost_and_gradients_match_autograd(case):
    We, data = checks.ae_inputs(case)
    J, grads = ref.ae_cost(We, data, case.params())
    J_t, grads_t = ref.ae_cost_torch(We, data, case.params(), device="cpu")
    errors = [rel(J, J_t)] + [rel(grads[k], grads_t[k]) for k in ref.KEYS]
    assert max(errors) < 1e-12, errors
    for k in ref.KEYS:
        assert grads[k].shape == We[k].shape


@pytest.mark.parametrize("case", checks.FD_CASES + checks.AE_CASES[:3], ids=lambda c: c.describe())
def test_gradients_match_finite_differences(case):
    We, data = checks.ae_inputs(case)
    params = case.params()
    _, grads = ref.ae_cost(We, data, params)
    h = 1e-6
    worst = 0.0
    for k in ref.KEYS:
        num = np.zeros_like(We[k])
        for idx in np.ndindex(*We[k].shape):
            plus = {q: v.copy() for q, v in We.items()}
            minus = {q: v.copy() for q, v in We.items()}
            plus[k][idx] += h
            minus[k][idx] -= h
            num[idx] = (ref.ae_cost(plus, data, params)[0] - ref.ae_cost(minus, data, params)[0]) / (2 * h)
        worst = max(worst, rel(grads[k], num))
    assert worst < 1e-7, worst


def test_preprocess_numpy_and_torch_agree():
    for case in checks.PRE_CASES:
        x = checks.preprocess_input(case)
        before = x.copy()
        y = ref.preprocess(x)
        assert np.array_equal(x, before)
        assert y.shape == (case.N, 16, 16) and y.dtype == np.float64
        assert y.min() >= 0.1 - 1e-12 and y.max() <= 0.9 + 1e-12
        assert rel(y, ref.preprocess_torch(x, "cpu")) < 1e-13
    const = checks.preprocess_input(checks.PRE_CASES[2])
    np.testing.assert_allclose(ref.preprocess(const)[2], 0.5)     # a constant image maps to 0.5


def test_preprocess_by_hand():
    x = np.zeros((2, 3, 16, 16))
    x[0, 1, :8] = 1.0          # half green: Y = 0.7152 on the top half
    y = ref.preprocess(x)
    # image 0: values +-0.3576 around its mean; image 1: all 0; sigma over both images
    sigma = np.std(np.concatenate([np.r_[np.full(128, 0.3576), np.full(128, -0.3576)], np.zeros(256)]))
    np.testing.assert_allclose(y[0, 0, 0], 0.5 + 0.4 * min(0.3576 / (3 * sigma), 1))
    np.testing.assert_allclose(y[1], 0.5)


def test_init_weights_contract():
    We = ref.init_weights(256, 64, np.random.default_rng(0))
    r = np.sqrt(6 / 320)
    assert {k: v.shape for k, v in We.items()} == {"W1": (256, 64), "b1": (64,), "W2": (64, 256), "b2": (256,)}
    assert all(np.abs(v).max() <= r for v in We.values())
    again = ref.init_weights(256, 64, np.random.default_rng(0))
    assert all(np.array_equal(We[k], again[k]) for k in We)


def test_train_reference_deterministic_and_decreasing():
    data = checks.train_data(checks.TRAIN_CASES["decrease"])
    params = checks.TRAIN_CASES["decrease"].params()
    a = ref.train_autoencoder(data, params, 0.5, 10, 4, np.random.default_rng(3))
    np.random.seed(9)
    b = ref.train_autoencoder(data, params, 0.5, 10, 4, np.random.default_rng(3))
    assert a[1] == b[1] and len(a[1]) == 4
    assert a[1][-1] < a[1][0]
    assert a[1][-1] == pytest.approx(ref.ae_cost(a[0], data, params)[0], rel=1e-12)


def test_reference_passes_every_check():
    import inspect
    names = {"preprocess": ref.preprocess, "init_weights": ref.init_weights, "ae_cost": ref.ae_cost,
             "train_autoencoder": ref.train_autoencoder}
    for unit, fn in names.items():
        source = inspect.getsource(fn).replace("LUMA[0]", "0.2126").replace("LUMA[1]", "0.7152").replace("LUMA[2]", "0.0722")
        for aspect in TABLE.unit(unit).hidden_aspects:
            framework_checks.run_check("sparse_autoencoder", unit, aspect, source=source)


def test_given_namespace_is_the_notebook_setup():
    """An answer cell is graded after the notebook's own setup cell (judging/namespace.py): the
    names the setup defines, and nothing copied by hand."""
    nb = json.loads(SOURCE.read_text())
    setup = next("".join(c["source"]) for c in nb["cells"]
                 if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")
    given = namespace.given_for(TABLE, "preprocess")
    assert setup in given
    scope = harness.namespace_from(given)
    for name in ("np", "h5py", "plt", "math", "os", "time", "sigmoid"):
        assert name in scope, name
