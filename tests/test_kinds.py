"""The framework's generic kinds (a numpy forward/backward pair, a pure function) graded through
the trusted path on a throwaway unit table: a new unit of these kinds is a table row, its cases
and its variants."""
import pytest

from conftest import grade
from toy_kinds.units import TABLE

HIDDEN = "### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n"
TESTS = {"test_affine_forward": HIDDEN, "test_affine_backward": HIDDEN, "test_relu_values": HIDDEN,
         "test_gated_layer_forward": HIDDEN, "test_gated_layer_backward": HIDDEN}
AFFINE = '''
def affine_forward(x, w, b):
    out = {out}
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    return dout @ w.T, x.T @ dout, {db}
'''
RELU = "def relu(x):\n    return {body}\n"


def outcomes(affine, relu, module=None):
    from toy_kinds.judge import MODULE_SOURCE
    return grade(TABLE, {"affine": affine, "relu": relu, "gated_layer": module or MODULE_SOURCE}, TESTS)


def test_correct_answers_pass():
    got = outcomes(AFFINE.format(out="x.dot(w) + b[None, :]", db="np.sum(dout, axis=0)"),
                   RELU.format(body="x * (x > 0)"))
    assert all(o.passed for o in got.values()), {k: o.message for k, o in got.items()}


@pytest.mark.parametrize("out, db, relu, failing, expected", [
    ("x @ w", "dout.sum(axis=0)", "np.maximum(x, 0)", {"test_affine_forward", "test_affine_backward"},
     "The bias is missing"),
    ("x @ w + b", "dout.mean(axis=0)", "np.maximum(x, 0)", {"test_affine_backward"},
     "not its mean"),
    ("x @ w + b", "dout.sum(axis=1)", "np.maximum(x, 0)", {"test_affine_backward"}, "expected (5,)"),
    ("x @ w + b", "dout.sum(axis=0)", "np.maximum(x, 0.1)", {"test_relu_values"}, "relu's output differs"),
    ("x @ w + b", "dout.sum(axis=0)", "x.squeeze().clip(0)", {"test_relu_values"}, "shape"),
])
def test_wrong_answers_lose_the_right_tests(out, db, relu, failing, expected):
    got = outcomes(AFFINE.format(out=out, db=db), RELU.format(body=relu))
    assert {k for k, o in got.items() if not o.passed} == failing
    assert any(expected in got[k].message for k in failing), {k: got[k].message for k in failing}


def test_backward_inconsistent_with_forward_is_named():
    """A dx that belongs to another function than the forward pass is caught and named."""
    got = outcomes(AFFINE.format(out="x @ w + b", db="dout.sum(axis=0)").replace("dout @ w.T", "2 * dout @ w.T"),
                   RELU.format(body="np.maximum(x, 0)"))
    assert not got["test_affine_backward"].passed and "dx" in got["test_affine_backward"].message


MODULE = """
class GatedLayer(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.lin = nn.Linear(n_in, n_out)
        self.gate = nn.Linear(n_in, n_out)

    def forward(self, x):
        return {body}
"""
OK_PARTS = dict(affine=AFFINE.format(out="x @ w + b", db="dout.sum(axis=0)"), relu=RELU.format(body="np.maximum(x, 0)"))


@pytest.mark.parametrize("body, failing, expected", [
    ("self.lin(x).tanh() * (1 + (-self.gate(x)).exp()).reciprocal()", set(), None),
    ("torch.tanh(self.lin(x)) * torch.tanh(self.gate(x))",
     {"test_gated_layer_forward", "test_gated_layer_backward"}, "The gate uses tanh"),
    ("torch.tanh(self.lin(x)) * torch.sigmoid(self.gate(x)).detach()", {"test_gated_layer_backward"},
     "gradient of"),
    ("torch.tanh(self.lin(x)) * torch.sigmoid(self.gate(x)).double()", {"test_gated_layer_forward",
     "test_gated_layer_backward"}, "float32"),
])
def test_torch_module_kind(body, failing, expected):
    got = outcomes(OK_PARTS["affine"], OK_PARTS["relu"], MODULE.format(body=body))
    assert {k for k, o in got.items() if not o.passed} == failing, {k: o.message for k, o in got.items()}
    if expected:
        assert any(expected in got[k].message for k in failing), {k: got[k].message for k in failing}


SIGMOID = '''
def sigmoid_forward(x):
    out = 1 / (1 + np.exp(-x))
    return out, {cache}


def sigmoid_backward(dout, cache):
    return {dx}
'''
SIGMOID_TESTS = {"test_sigmoid_forward": HIDDEN, "test_sigmoid_backward": HIDDEN}


@pytest.mark.parametrize("cache, dx, failing, expected", [
    ("out", "dout * cache * (1 - cache)", set(), None),
    ("x", "dout * np.exp(-cache) / (1 + np.exp(-cache)) ** 2", set(), None),
    ("x", "dout * (1 / (1 + np.exp(-cache))) * (1 - cache)", {"test_sigmoid_backward"}, "needs sigmoid(x)"),
    ("out", "2 * dout * cache * (1 - cache)", {"test_sigmoid_backward"}, "dx differs"),
])
def test_a_unit_added_as_a_row_its_cases_and_its_reference(cache, dx, failing, expected):
    """The toy table's `sigmoid` unit is a table row, two cases (probe.py) and its reference and one
    known wrong variant (judge.py): the generic pair kind probes and judges it, finite differences
    included."""
    got = grade(TABLE, {"sigmoid": SIGMOID.format(cache=cache, dx=dx)}, SIGMOID_TESTS)
    assert {k for k, o in got.items() if not o.passed} == failing, {k: o.message for k, o in got.items()}
    if expected:
        assert any(expected in got[k].message for k in failing), {k: got[k].message for k in failing}
