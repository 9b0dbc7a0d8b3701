"""Given helpers for the `sequence_models` assignment (both notebooks import them).

This file is self-contained (numpy and torch; matplotlib only inside the plot functions): the
course keeps it in ``handouts/`` and ships a copy beside the notebooks
(``from sequence_helpers import *``). Autograde restores the course's copy, and the grader runs
the course's copy, never a student's edited one.

Shapes: a batch of digit sequences x has shape (B, T) (one feature per step), of feature
sequences (B, T, D); logits (B, K); labels (B,) int64.

- ``set_seed(seed)``: seeds Python's ``random``, numpy's global generator and torch
- ``PalindromeDataset(input_length, size=10000, seed=0)``: item k is ``(x, y)``, x a float32
  tensor of shape (input_length,), the first ``input_length`` digits of a random palindrome of
  ``input_length + 1`` decimal digits, and y its last digit, an int64 tensor of shape (). A
  palindrome reads the same both ways, so its last digit *is its first*: predicting y means
  remembering x[0] across all ``input_length`` steps. Item k depends only on (seed, k)
- ``BinaryToDecimalDataset(n_bits, size=2000, seed=0)``: item k is ``(bits, value)``, bits a
  float32 tensor of shape (n_bits, 1), most significant bit first, and value the number they
  write, an int64 class in 0 .. 2**n_bits - 1
- ``make_loader(dataset, batch_size, shuffle=True, seed=0)``: a ``DataLoader`` whose shuffling
  follows its own seeded generator (the same seed gives the same batches), no worker processes
- ``accuracy(model, loader, device=None)``: the fraction of the loader's samples whose largest
  logit is the label, computed in eval mode without gradients; the model's train/eval mode is
  restored afterwards
- ``plot_losses(histories, title="")``: {name: per-epoch losses} as training curves
- ``plot_accuracy_vs_length(lengths, accuracies)``: {name: one test accuracy per length}, with
  chance (1 in 10) as a dashed line
"""
import random

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

__all__ = ["set_seed", "PalindromeDataset", "BinaryToDecimalDataset", "make_loader", "accuracy",
           "plot_losses", "plot_accuracy_vs_length", "CHANCE"]

CHANCE = 0.1            # ten classes (digits): the accuracy of guessing


def set_seed(seed):
    """Seed Python's ``random``, numpy's global generator and torch (CPU and every GPU)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class PalindromeDataset(Dataset):
    """Random palindromes of ``input_length + 1`` decimal digits, e.g. 3 9 0 9 3.

    Item k is ``(x, y)``: x the first ``input_length`` digits as a float32 tensor of shape
    (input_length,), y the last digit as an int64 tensor. Since a palindrome's last digit equals
    its first, y == x[0]: a model that reads x step by step must carry the first digit through
    ``input_length`` steps (the middle digits are random noise to it). The ``size`` palindromes
    are drawn once from ``numpy.random.default_rng(seed)``: item k depends only on
    (seed, input_length, k), so training and test sets differ by their seeds. Short palindromes
    have few distinct values (10 ** ceil((input_length + 1) / 2)), so the sets then overlap.
    """

    def __init__(self, input_length, size=10000, seed=0):
        if int(input_length) < 1:
            raise ValueError(f"input_length must be at least 1, not {input_length}")
        if int(size) < 1:
            raise ValueError(f"size must be at least 1, not {size}")
        self.input_length, self.size, self.seed = int(input_length), int(size), seed
        length = self.input_length + 1
        half = (length + 1) // 2                                  # the free digits
        left = np.random.default_rng(seed).integers(0, 10, size=(self.size, half))
        full = np.concatenate([left, left[:, :length // 2][:, ::-1]], axis=1)
        self.palindromes = torch.from_numpy(full.astype(np.float32))   # (size, input_length + 1)
        self.inputs = self.palindromes[:, :-1]
        self.targets = torch.from_numpy(full[:, -1].astype(np.int64))

    def __len__(self):
        return self.size

    def __getitem__(self, k):
        return self.inputs[k], self.targets[k]


class BinaryToDecimalDataset(Dataset):
    """Random ``n_bits``-bit numbers written in binary, to be read as decimal classes.

    Item k is ``(bits, value)``: bits a float32 tensor of shape (n_bits, 1), most significant bit
    first (so a model reads the number from the left), value the number as an int64 class in
    0 .. 2**n_bits - 1. The values are drawn once from ``numpy.random.default_rng(seed)``.
    """

    def __init__(self, n_bits, size=2000, seed=0):
        if not 1 <= int(n_bits) <= 30:
            raise ValueError(f"n_bits must lie in 1..30, not {n_bits}")
        self.n_bits, self.size, self.seed = int(n_bits), int(size), seed
        values = np.random.default_rng(seed).integers(0, 2 ** self.n_bits, size=self.size)
        shifts = np.arange(self.n_bits - 1, -1, -1)
        bits = (values[:, None] >> shifts) & 1
        self.bits = torch.from_numpy(bits.astype(np.float32)).unsqueeze(-1)   # (size, n_bits, 1)
        self.values = torch.from_numpy(values.astype(np.int64))

    def __len__(self):
        return self.size

    def __getitem__(self, k):
        return self.bits[k], self.values[k]


def make_loader(dataset, batch_size, shuffle=True, seed=0):
    """A ``DataLoader`` over ``dataset`` in batches of ``batch_size`` (the last may be smaller),
    shuffled by its own generator seeded with ``seed``: two loaders made alike give the same
    batches, epoch after epoch, whatever else draws random numbers. No worker processes."""
    generator = torch.Generator().manual_seed(int(seed))
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator,
                      num_workers=0)


def _first_parameter(model):
    return next(iter(model.parameters()), None)


def accuracy(model, loader, device=None):
    """The fraction of the loader's samples whose largest logit (argmax) is the label.

    Runs the model in eval mode under ``torch.no_grad()`` on ``device`` (default: where the
    model's parameters are), with floating inputs cast to the parameters' dtype, and puts the
    model back in the mode (train or eval) it was in.
    """
    param = _first_parameter(model)
    if device is None:
        device = param.device if param is not None else torch.device("cpu")
    was_training = model.training
    correct, total = 0, 0
    model.eval()
    try:
        with torch.no_grad():
            for x, y in loader:
                x = x.to(device, dtype=param.dtype) if (param is not None and x.is_floating_point()) \
                    else x.to(device)
                y = y.to(device)
                pred = model(x).argmax(dim=1)
                correct += int((pred == y).sum().item())
                total += int(y.shape[0])
    finally:
        model.train(was_training)
    if total == 0:
        raise ValueError("the loader yielded no samples")
    return correct / total


def plot_losses(histories, title=""):
    """histories: {model name: list of per-epoch (or per-interval) training losses}."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, losses in histories.items():
        ax.plot(np.arange(1, len(losses) + 1), losses, "-o", ms=3, label=name)
    ax.set(xlabel="epoch", ylabel="cross-entropy", title=title or "training loss")
    ax.legend()
    fig.tight_layout()
    plt.show()


def plot_accuracy_vs_length(lengths, accuracies):
    """lengths: the input lengths T; accuracies: {model name: one test accuracy per length}.
    The dashed line is chance (1 in 10 digits)."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, accs in accuracies.items():
        ax.plot(list(lengths), accs, "-o", label=name)
    ax.axhline(CHANCE, color="gray", linestyle="--", label="chance")
    ax.set(xlabel="input length T (palindrome of T + 1 digits)", ylabel="test accuracy",
           title="test accuracy against palindrome length", ylim=(0, 1.05))
    ax.legend()
    fig.tight_layout()
    plt.show()
