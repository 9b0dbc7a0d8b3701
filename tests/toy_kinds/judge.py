"""Reference and known wrong variants of the toy table; the judge is the framework's."""
import numpy as np

from grader_tests.framework import kinds
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


def given_source(unit):
    return "import numpy as np\n"


def judge_aspect(unit, aspect, infos, arrays, devices):
    return kinds.judge_aspect(TABLE.unit(unit).defines, CASES[unit], aspect, infos, arrays,
                              REFERENCE[unit], VARIANTS.get(unit, ()))
