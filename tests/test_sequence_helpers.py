"""Tests of handouts/sequence_helpers.py: the generated datasets (palindromes whose last digit is
their first, binary numbers that decode), determinism, the seeded loader, `accuracy`."""
import random

import numpy as np
import pytest
import torch
from torch import nn

from handouts import sequence_helpers as sh


@pytest.mark.parametrize("input_length", [1, 2, 4, 9, 19])
def test_palindromes_are_palindromes(input_length):
    ds = sh.PalindromeDataset(input_length, size=300, seed=3)
    assert len(ds) == 300
    for k in range(len(ds)):
        x, y = ds[k]
        assert x.dtype == torch.float32 and x.shape == (input_length,)
        assert y.dtype == torch.int64 and y.shape == ()
        full = torch.cat([x, y.float().view(1)])
        assert torch.equal(full, full.flip(0))                    # reads the same both ways
        assert int(x[0]) == int(y)                                # the target is the first digit
        assert x.min() >= 0 and x.max() <= 9 and torch.equal(x, x.round())
    # every target digit occurs, roughly equally often
    counts = np.bincount(ds.targets.numpy(), minlength=10)
    assert counts.min() > 10


def test_palindromes_deterministic_and_seeded():
    a = sh.PalindromeDataset(9, size=200, seed=0)
    b = sh.PalindromeDataset(9, size=200, seed=0)
    c = sh.PalindromeDataset(9, size=200, seed=1)
    np.random.seed(123)
    torch.manual_seed(123)                                        # global state plays no part
    d = sh.PalindromeDataset(9, size=200, seed=0)
    for k in (0, 17, 199):
        assert torch.equal(a[k][0], b[k][0]) and torch.equal(a[k][0], d[k][0])
    assert not torch.equal(a.inputs, c.inputs)
    # item k depends on (seed, k), not on how many items were asked for
    e = sh.PalindromeDataset(9, size=50, seed=0)
    assert torch.equal(e.inputs, a.inputs[:50])
    with pytest.raises(IndexError):
        a[200]
    with pytest.raises(ValueError):
        sh.PalindromeDataset(0)


@pytest.mark.parametrize("n_bits", [1, 3, 8])
def test_binary_to_decimal_decodes(n_bits):
    ds = sh.BinaryToDecimalDataset(n_bits, size=400, seed=5)
    assert len(ds) == 400
    weights = 2 ** torch.arange(n_bits - 1, -1, -1)
    values = []
    for k in range(len(ds)):
        bits, value = ds[k]
        assert bits.dtype == torch.float32 and bits.shape == (n_bits, 1)
        assert value.dtype == torch.int64 and value.shape == ()
        assert set(bits.flatten().tolist()) <= {0.0, 1.0}
        assert int((bits.flatten().long() * weights).sum()) == int(value)     # most significant first
        values.append(int(value))
    assert min(values) >= 0 and max(values) < 2 ** n_bits
    if 2 ** n_bits <= 8:
        assert set(values) == set(range(2 ** n_bits))           # every value occurs
    else:
        assert len(set(values)) > 100
    again = sh.BinaryToDecimalDataset(n_bits, size=400, seed=5)
    assert torch.equal(again.bits, ds.bits) and torch.equal(again.values, ds.values)


def _batches(loader):
    return [(x.clone(), y.clone()) for x, y in loader]


def test_loader_deterministic():
    ds = sh.PalindromeDataset(5, size=100, seed=0)
    first = _batches(sh.make_loader(ds, 32, seed=4))
    random.seed(9)
    torch.manual_seed(9)                                          # other draws change nothing
    torch.rand(10)
    second = _batches(sh.make_loader(ds, 32, seed=4))
    other = _batches(sh.make_loader(ds, 32, seed=5))
    assert [x.shape[0] for x, _ in first] == [32, 32, 32, 4]
    assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in zip(first, second))
    assert not all(torch.equal(a[0], b[0]) for a, b in zip(first, other))
    # shuffled: every item once per epoch; unshuffled: in order
    assert sorted(torch.cat([y for _, y in first]).tolist()) == sorted(ds.targets.tolist())
    plain = _batches(sh.make_loader(ds, 32, shuffle=False))
    assert torch.equal(torch.cat([x for x, _ in plain]), ds.inputs)
    assert sh.make_loader(ds, 32).num_workers == 0


class _FirstDigit(nn.Module):
    """Predicts the first input digit (right on palindromes); records the mode it ran in."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))
        self.modes = []

    def forward(self, x):
        self.modes.append((self.training, torch.is_grad_enabled()))
        return nn.functional.one_hot(x[:, 0].long(), 10).to(x.dtype) * self.scale


def test_accuracy_value_and_mode():
    ds = sh.PalindromeDataset(6, size=70, seed=2)
    loader = sh.make_loader(ds, 16)
    model = _FirstDigit()
    model.train()
    assert sh.accuracy(model, loader) == 1.0
    assert model.training                                         # train mode restored
    assert model.modes and all(m == (False, False) for m in model.modes)   # eval, no_grad
    model.eval()
    assert sh.accuracy(model, loader) == 1.0 and not model.training
    # a constant guess of 0: the share of zeros among the targets
    with torch.no_grad():
        model.scale.zero_()
    expected = float((ds.targets == 0).float().mean())
    assert sh.accuracy(model, loader) == pytest.approx(expected)
    # float64 models get float64 inputs
    model64 = _FirstDigit().double()
    assert sh.accuracy(model64, loader) == 1.0


def test_set_seed():
    sh.set_seed(11)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    sh.set_seed(11)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == a


def test_plots_run(monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    monkeypatch.setattr(plt, "show", lambda: None)
    sh.plot_losses({"RNN": [2.3, 2.0, 1.5], "LSTM": [2.3, 1.0, 0.5]}, title="palindromes")
    sh.plot_accuracy_vs_length([4, 9, 14], {"RNN": [1.0, 0.3, 0.1], "LSTM": [1.0, 1.0, 0.9]})
    plt.close("all")


def test_all_names_exist():
    for name in sh.__all__:
        assert hasattr(sh, name)
    namespace = {}
    exec("from handouts.sequence_helpers import *", namespace)
    assert {"PalindromeDataset", "BinaryToDecimalDataset", "make_loader", "accuracy", "set_seed",
            "plot_losses", "plot_accuracy_vs_length"} <= set(namespace)


def test_self_contained():
    """Module level: the standard library, numpy and torch only (matplotlib inside the plots)."""
    import ast
    from pathlib import Path
    tree = ast.parse(Path(sh.__file__).read_text())
    top = {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import)
           for alias in node.names}
    top |= {node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert top <= {"random", "numpy", "torch"}, top
