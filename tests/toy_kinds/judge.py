"""Reference and known wrong variants of the toy table; the judges are the generic kinds'."""
import numpy as np

from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.judging.kinds import judges_for
from toy_kinds.probe import PROBES
from toy_kinds.units import TABLE


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


AFFINE_VARIANTS = [
    ("out", lambda i, e: i["x"] @ i["w"], Hint("toy:bias_missing", "The bias is missing: out = x @ w + b.")),
    ("grads", lambda i, e, d: {"b": d.mean(axis=0)},
     Hint("toy:db_mean", "db sums dout over the batch (axis 0), not its mean.")),
]

def sigmoid_forward(x):
    out = 1 / (1 + np.exp(-x))
    return out, out


def sigmoid_backward(dout, out):
    return dout * out * (1 - out)


SIGMOID_VARIANTS = [("grads", lambda i, e, d: {"x": d * (1 / (1 + np.exp(-i["x"]))) * (1 - i["x"])},
                     Hint("toy:sigmoid_derivative_at_input", "The derivative uses x where it needs sigmoid(x)."))]

MODULE_SOURCE = """
class GatedLayer(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.lin = nn.Linear(n_in, n_out)
        self.gate = nn.Linear(n_in, n_out)

    def forward(self, x):
        return torch.tanh(self.lin(x)) * torch.sigmoid(self.gate(x))
"""
HEADER = "import numpy as np\nimport torch\nimport torch.nn as nn\n"


def _class(source):
    scope = {}
    exec(HEADER + source, scope)
    return scope["GatedLayer"]


JUDGES = judges_for(
    TABLE, PROBES,
    affine={"reference": (affine_forward, affine_backward), "variants": AFFINE_VARIANTS, "given_extra": HEADER},
    relu={"reference": (lambda x: np.maximum(x, 0),), "given_extra": HEADER},
    gated_layer={"reference": _class(MODULE_SOURCE), "given_extra": HEADER,
                 "variants": [(_class(MODULE_SOURCE.replace("torch.sigmoid(self.gate", "torch.tanh(self.gate")),
                               Hint("toy:gate_tanh", "The gate uses tanh; it is a sigmoid."))]},
    sigmoid={"reference": (sigmoid_forward, sigmoid_backward), "variants": SIGMOID_VARIANTS, "given_extra": HEADER},
)
