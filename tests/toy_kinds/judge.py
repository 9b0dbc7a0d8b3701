"""Reference and known wrong variants of the toy table; the judge is the framework's."""
import numpy as np

from grader_tests.framework.judging import kinds
from toy_kinds.probe import CASES
from toy_kinds.units import TABLE


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


REFERENCE = {"affine": (affine_forward, affine_backward), "relu": (lambda x: np.maximum(x, 0),)}
VARIANTS = {"affine": [
    ("out", lambda i, e: i["x"] @ i["w"], "The bias is missing: out = x @ w + b."),
    ("grads", lambda i, e, d: {"b": d.mean(axis=0)}, "db sums dout over the batch (axis 0), not its mean."),
]}


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


REFERENCE_MODULE = _class(MODULE_SOURCE)
MODULE_VARIANTS = [(_class(MODULE_SOURCE.replace("torch.sigmoid(self.gate", "torch.tanh(self.gate")),
                    "The gate uses tanh; it is a sigmoid.")]


def given_source(unit):
    return HEADER


def judge_aspect(unit, aspect, infos, arrays, devices):
    if unit == "gated_layer":
        return kinds.judge_module_aspect("GatedLayer", CASES[unit], aspect, infos, arrays, devices,
                                         REFERENCE_MODULE, MODULE_VARIANTS)
    return kinds.judge_aspect(TABLE.unit(unit).defines, CASES[unit], aspect, infos, arrays,
                              REFERENCE[unit], VARIANTS.get(unit, ()))
