# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Recurrent models on sequences: palindromes, binary numbers, images read row by row
#
# How far back can a recurrent network remember? You will write a vanilla RNN and an LSTM from
# scratch in PyTorch and test their memory on palindromes, write the training tools, fix a
# classic optimiser mistake on a binary-to-decimal task, and classify handwritten digits read
# one row at a time with PyTorch's own `nn.RNN`, `nn.GRU` and `nn.LSTM`.
#
# **Rules.**
# - Write your code only where `# YOUR CODE HERE` stands; keep the class and function names and
#   signatures: the tests use them.
# - Sections 1 and 2 are **from scratch**: `nn.Parameter`s and tensor operations only; a model
#   there that uses torch's recurrent modules or functions (`nn.RNN`, `nn.LSTM`, `nn.LSTMCell`,
#   `torch.lstm_cell`, ...) scores 0 on that unit. Section 6 is the opposite: its classes
#   **must** use `nn.RNN`, `nn.GRU` and `nn.LSTM`.
# - Hidden tests compare your models with a reference after copying your parameters into it (so
#   the parameter names matter), on several shapes, in float32 and float64, on the CPU and on the
#   GPU when there is one. Each unit is graded on its own.
#
# | part | points |
# | --- | --- |
# | 1. A vanilla RNN from scratch | 4 |
# | 2. An LSTM from scratch | 6 |
# | 3. Training tools | 4 |
# | 4. How far back can they remember? | 3 written |
# | 5. Two models, two optimisers | 1 |
# | 6. Images as sequences | 6 + 2 written |

# %% [markdown]
# ## 0. Setup (given code)
#
# The helpers come from `sequence_helpers.py`, shipped with this notebook (keep it in the same
# folder): `set_seed`, `PalindromeDataset`, `BinaryToDecimalDataset`, `make_loader`, `accuracy`,
# `plot_losses`, `plot_accuracy_vs_length`.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import math
import os
import time

import numpy as np
import matplotlib
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

from sequence_helpers import *

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
# Under autograde (and when you set COURSE_SHORT_SCHEDULE=1) the experiments run a short
# schedule so that grading takes seconds.
SHORT_SCHEDULE = os.environ.get("COURSE_SHORT_SCHEDULE") == "1"
# `nbgrader validate` shows each failing check by its error line alone (no traceback)
if os.environ.get("NBGRADER_VALIDATING"):
    get_ipython().run_line_magic("xmode", "Minimal")
set_seed(0)
print("device:", device, "| short schedule:", SHORT_SCHEDULE)

# %% [markdown]
# ## 1. A vanilla RNN from scratch (4 points)
#
# The task: read the first $T$ digits of a palindrome of $T + 1$ digits and predict the last
# one, which equals the first. The network must carry the first digit through $T$ steps.
#
# Write `VanillaRNN(seq_length, input_dim, num_hidden, num_classes)` with the parameters
#
# | name | shape | init |
# | --- | --- | --- |
# | `W_hx` | (input_dim, num_hidden) | uniform $\pm 1/\sqrt{\text{rows}}$ |
# | `W_hh` | (num_hidden, num_hidden) | uniform $\pm 1/\sqrt{\text{rows}}$ |
# | `B_h` | (num_hidden,) | zeros |
# | `W_ph` | (num_hidden, num_classes) | uniform $\pm 1/\sqrt{\text{rows}}$ |
# | `B_y` | (num_classes,) | zeros |
#
# ("rows" is the first dimension of the matrix). `forward(x)` takes `x` of shape $(B, T)$ (one
# number per step, `input_dim` 1) or $(B, T, \text{input\_dim})$, loops over `x.shape[1]` and
# returns the **logits** $(B, \text{num\_classes})$ read from the last state:
#
# $$h_0 = 0, \qquad h_t = \tanh(x_t W_{hx} + h_{t-1} W_{hh} + B_h), \qquad
#   \text{logits} = h_T W_{ph} + B_y.$$
#
# No softmax (`nn.CrossEntropyLoss` applies it). Create $h_0$ with the input's device and dtype
# (`x.new_zeros(...)`): the model must work for any batch size, on the CPU and the GPU.

# %% nbgrader={"grade": false, "grade_id": "vanilla_rnn", "locked": false, "schema_version": 3, "solution": true, "task": false}
class VanillaRNN(nn.Module):
    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super().__init__()
        ### BEGIN SOLUTION
        self.input_dim, self.num_hidden = input_dim, num_hidden

        def uniform(rows, cols):
            return nn.Parameter(torch.empty(rows, cols).uniform_(-1 / math.sqrt(rows), 1 / math.sqrt(rows)))
        self.W_hx = uniform(input_dim, num_hidden)
        self.W_hh = uniform(num_hidden, num_hidden)
        self.B_h = nn.Parameter(torch.zeros(num_hidden))
        self.W_ph = uniform(num_hidden, num_classes)
        self.B_y = nn.Parameter(torch.zeros(num_classes))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        if x.dim() == 2:
            x = x.unsqueeze(-1)
        h = x.new_zeros(x.shape[0], self.num_hidden)
        for t in range(x.shape[1]):
            h = torch.tanh(x[:, t] @ self.W_hx + h @ self.W_hh + self.B_h)
        return h @ self.W_ph + self.B_y
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_vanilla_rnn_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: logits of shape (B, num_classes) for both input forms.
model_test = VanillaRNN(5, 1, 8, 10)
assert model_test(torch.randn(3, 5)).shape == (3, 10), "(B, T) input -> (B, num_classes) logits"
assert VanillaRNN(5, 2, 8, 4)(torch.randn(1, 5, 2)).shape == (1, 4), "(B, T, D) input, B = 1"
print("VanillaRNN: shapes OK")

# Hidden test: logits against the reference with your parameters (copied by name), for (B, T) and (B, T, D) inputs, B = 1, T = 1, float32 and float64, on every grading device.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("vanilla_rnn", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_vanilla_rnn_backward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: every parameter gets a gradient.
model_test = VanillaRNN(4, 1, 6, 10)
model_test(torch.randn(2, 4)).sum().backward()
assert all(p.grad is not None for p in model_test.parameters()), "every parameter must be used in forward"
print("VanillaRNN: gradients reach every parameter")

# Hidden test: autograd gradients of every parameter and of the input.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("vanilla_rnn", "backward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_vanilla_rnn_structure", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: the parameter names and shapes.
shapes = {n: tuple(p.shape) for n, p in VanillaRNN(5, 3, 8, 10).named_parameters()}
assert shapes == {"W_hx": (3, 8), "W_hh": (8, 8), "B_h": (8,), "W_ph": (8, 10), "B_y": (10,)}, shapes
print("VanillaRNN: parameters OK")

# Hidden test: parameter names and shapes, uniform +-1/sqrt(rows) weights, zero biases.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("vanilla_rnn", "structure")
### END HIDDEN TESTS

# %% [markdown]
# ## 2. An LSTM from scratch (6 points)
#
# Same constructor and input forms. Parameters, named as below, initialised like section 1
# (weights uniform $\pm 1/\sqrt{\text{rows}}$, biases zero):
# `W_gx, W_gh, B_g, W_ix, W_ih, B_i, W_fx, W_fh, B_f, W_ox, W_oh, B_o` (x-weights
# (input_dim, H), h-weights (H, H), biases (H,)), and `W_ph`, `B_y`. From $h_0 = c_0 = 0$:
#
# $$g_t = \tanh(x_t W_{gx} + h_{t-1} W_{gh} + B_g), \quad
#   i_t = \sigma(x_t W_{ix} + h_{t-1} W_{ih} + B_i), \quad
#   f_t = \sigma(x_t W_{fx} + h_{t-1} W_{fh} + B_f), \quad
#   o_t = \sigma(x_t W_{ox} + h_{t-1} W_{oh} + B_o),$$
# $$c_t = g_t \odot i_t + c_{t-1} \odot f_t, \qquad h_t = \tanh(c_t) \odot o_t, \qquad
#   \text{logits} = h_T W_{ph} + B_y.$$

# %% nbgrader={"grade": false, "grade_id": "palindrome_lstm", "locked": false, "schema_version": 3, "solution": true, "task": false}
class LSTM(nn.Module):
    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super().__init__()
        ### BEGIN SOLUTION
        self.input_dim, self.num_hidden = input_dim, num_hidden
        for gate in "gifo":
            for suffix, rows in (("x", input_dim), ("h", num_hidden)):
                bound = 1 / math.sqrt(rows)
                setattr(self, f"W_{gate}{suffix}", nn.Parameter(torch.empty(rows, num_hidden).uniform_(-bound, bound)))
            setattr(self, f"B_{gate}", nn.Parameter(torch.zeros(num_hidden)))
        bound = 1 / math.sqrt(num_hidden)
        self.W_ph = nn.Parameter(torch.empty(num_hidden, num_classes).uniform_(-bound, bound))
        self.B_y = nn.Parameter(torch.zeros(num_classes))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        if x.dim() == 2:
            x = x.unsqueeze(-1)
        h = x.new_zeros(x.shape[0], self.num_hidden)
        c = torch.zeros_like(h)

        def gate(name, x_t, h):
            return x_t @ getattr(self, f"W_{name}x") + h @ getattr(self, f"W_{name}h") + getattr(self, f"B_{name}")
        for t in range(x.shape[1]):
            x_t = x[:, t]
            g = torch.tanh(gate("g", x_t, h))
            i, f, o = (torch.sigmoid(gate(k, x_t, h)) for k in "ifo")
            c = g * i + c * f
            h = torch.tanh(c) * o
        return h @ self.W_ph + self.B_y
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_palindrome_lstm_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: logits of shape (B, num_classes) for both input forms.
assert LSTM(5, 1, 8, 10)(torch.randn(3, 5)).shape == (3, 10), "(B, T) input -> (B, num_classes) logits"
assert LSTM(5, 2, 8, 4)(torch.randn(1, 5, 2)).shape == (1, 4), "(B, T, D) input, B = 1"
print("LSTM: shapes OK")

# Hidden test: logits against the reference with your parameters (copied by name), for (B, T) and (B, T, D) inputs, B = 1, T = 1, float32 and float64, on every grading device.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("palindrome_lstm", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_palindrome_lstm_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: every parameter gets a gradient.
model_test = LSTM(4, 1, 6, 10)
model_test(torch.randn(2, 4)).sum().backward()
assert all(p.grad is not None for p in model_test.parameters()), "every parameter must be used in forward"
print("LSTM: gradients reach every parameter")

# Hidden test: autograd gradients of every parameter and of the input.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("palindrome_lstm", "backward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_palindrome_lstm_structure", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: the parameter names.
names = {n for n, _ in LSTM(5, 3, 8, 10).named_parameters()}
expected = {f"W_{g}{s}" for g in "gifo" for s in "xh"} | {f"B_{g}" for g in "gifo"} | {"W_ph", "B_y"}
assert names == expected, f"parameters: expected {sorted(expected)}, got {sorted(names)}"
print("LSTM: parameters OK")

# Hidden test: parameter names and shapes, uniform +-1/sqrt(rows) weights, zero biases.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("palindrome_lstm", "structure")
### END HIDDEN TESTS

# %% [markdown]
# How many parameters does your LSTM have? Write `lstm_num_params(input_dim, num_hidden,
# num_classes)` returning the count (an `int`) for the `LSTM` above, output layer included,
# from the sizes alone (a formula, not by building a model).

# %% nbgrader={"grade": false, "grade_id": "lstm_param_count", "locked": false, "schema_version": 3, "solution": true, "task": false}
def lstm_num_params(input_dim, num_hidden, num_classes):
    """The number of parameters of LSTM(seq_length, input_dim, num_hidden, num_classes)."""
    ### BEGIN SOLUTION
    per_gate = input_dim * num_hidden + num_hidden * num_hidden + num_hidden
    return 4 * per_gate + num_hidden * num_classes + num_classes
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_lstm_param_count_values", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: the count for one size is an int.
count = lstm_num_params(1, 128, 10)
assert isinstance(count, int), "return an int"
print("parameters of LSTM(input_dim=1, num_hidden=128, num_classes=10):", count)

# Hidden test: the count on many sizes, against the LSTM"s own parameters.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("lstm_param_count", "values")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Training tools (4 points)
#
# `batch_error(outputs, labels)`: the fraction of the batch misclassified, as a Python `float`,
# for logits `outputs` $(B, K)$ and integer `labels` $(B,)$ (the predicted class is the argmax
# of a row).
#
# `train(model, loss_fn, epochs, loader, lr=1e-3)`: train with **Adam** over the model's own
# parameters at learning rate `lr`; put the model in training mode (`model.train()`), move every
# batch to the model's device, and for each batch: zero the gradients, forward, loss, backward,
# step. Return the list of per-epoch losses, each the mean of that epoch's batch losses.

# %% nbgrader={"grade": false, "grade_id": "batch_error", "locked": false, "schema_version": 3, "solution": true, "task": false}
def batch_error(outputs, labels):
    """Fraction of the batch whose argmax of outputs differs from labels (a float)."""
    ### BEGIN SOLUTION
    return (outputs.argmax(dim=1) != labels).float().mean().item()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_batch_error_values", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: one of four misclassified.
err = batch_error(torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0], [0.5, 0.2]]), torch.tensor([0, 1, 0, 1]))
assert isinstance(err, float) and abs(err - 0.25) < 1e-9, f"expected 0.25, got {err!r}"
print("batch_error OK")

# Hidden test: the misclassified fraction on several batches (ties, B = 1), as a float.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("batch_error", "values")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "train_loop", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train(model, loss_fn, epochs, loader, lr=1e-3):
    """Adam training; returns the mean batch loss of every epoch."""
    ### BEGIN SOLUTION
    device = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    history = []
    for epoch in range(epochs):
        losses = []
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history.append(sum(losses) / len(losses))
    return history
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train_loop_replay", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: one loss per epoch, and the loss goes down on an easy problem.
torch.manual_seed(0)
toy_x = torch.randn(64, 3, 2)
toy_y = (toy_x[:, -1, 0] > 0).long()
toy_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(toy_x, toy_y), batch_size=16)
toy_model = nn.Sequential(nn.Flatten(), nn.Linear(6, 2))
toy_losses = train(toy_model, nn.CrossEntropyLoss(), 5, toy_loader, lr=0.05)
assert len(toy_losses) == 5, "one loss per epoch"
assert toy_losses[-1] < toy_losses[0], "the loss should decrease"
print("train:", np.round(toy_losses, 4))

# Hidden test: the parameters and per-epoch losses against a reference loop (Adam over the model"s own parameters) on a tiny deterministic model.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("train_loop", "replay")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_loop_mode", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: the model is left in training mode.
toy_model = nn.Sequential(nn.Flatten(), nn.Linear(6, 2))
toy_model.eval()
train(toy_model, nn.CrossEntropyLoss(), 1,
      torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.randn(8, 3, 2), torch.zeros(8, dtype=torch.long)),
                                  batch_size=4), lr=0.01)
assert toy_model.training, "call model.train() in train"
print("train: training mode OK")

# Hidden test: model.train() is set, the batches follow the model"s device.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("train_loop", "mode")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. How far back can they remember? (3 points, written)
#
# Given code: both models are trained on palindromes of growing length (the input is the first
# $T$ digits, the target the last) and tested on fresh ones. Chance level is 10 %. The full
# schedule (128 hidden units, 15 epochs) takes about two minutes; the short one (64 units, 3
# epochs) already shows the gap at $T = 14$, while its $T = 19$ result depends on the seed.

# %% nbgrader={"grade": false, "grade_id": "palindrome_experiment", "locked": true, "schema_version": 3, "solution": false, "task": false}
if SHORT_SCHEDULE:
    palindrome = dict(lengths=(4, 9, 14, 19), hidden=64, train_size=2048, epochs=3, lr=1e-2)
else:
    palindrome = dict(lengths=(4, 9, 14, 19), hidden=128, train_size=10240, epochs=15, lr=1e-3)
print("schedule:", palindrome)
results = {"RNN": [], "LSTM": []}
for T in palindrome["lengths"]:
    for name, cls in (("RNN", VanillaRNN), ("LSTM", LSTM)):
        set_seed(T)
        model = cls(T, 1, palindrome["hidden"], 10).to(device)
        start = time.perf_counter()
        train(model, nn.CrossEntropyLoss(), palindrome["epochs"],
              make_loader(PalindromeDataset(T, size=palindrome["train_size"], seed=0), 128), lr=palindrome["lr"])
        acc = accuracy(model, make_loader(PalindromeDataset(T, size=1000, seed=1), 500, shuffle=False), device)
        results[name].append(acc)
        print(f"T = {T:2d} {name:4s}: test accuracy {acc:.3f} ({time.perf_counter() - start:.1f} s)")
plot_accuracy_vs_length(palindrome["lengths"], results)

# %% [markdown]
# Compare the two curves. Up to which length does each model beat chance clearly, and why does
# the vanilla RNN fall to chance while the LSTM holds up? Relate your answer to the gradient of
# the loss with respect to the first input, and to the LSTM's cell state.

# %% [markdown] nbgrader={"grade": true, "grade_id": "palindrome_comparison", "locked": false, "points": 3, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Both models solve short palindromes; as T grows the vanilla RNN's accuracy
# drops to chance (10 %) while the LSTM keeps a high accuracy for much longer (course run, full
# schedule: RNN 1.00 / 0.76 / 0.10 / 0.09 and LSTM 1.00 / 1.00 / 0.94 / 0.93 at T = 4 / 9 / 14 /
# 19; the RNN at T = 9 varies with the seed). To predict the last
# digit the network must carry the first digit through T steps. In the vanilla RNN the
# gradient of the loss with respect to the first input is a product of T Jacobians
# diag(1 - h_t^2) W_hh, which shrinks geometrically (vanishing gradient), so the network cannot
# learn to keep the first digit, and its state is overwritten by later digits. The LSTM's cell
# state is updated additively, c_t = g i + c_{t-1} f: with the forget gate near 1 the gradient
# along c flows back almost unchanged, and the input gate can write the first digit once and
# then close. *TA note: accept the student's own numbers and lengths when the reasoning
# matches their plot.*
#
# **Rubric (3 points).** 1 pt: reads the plot correctly (RNN falls to chance with T, LSTM holds
# up longer, with lengths). 1 pt: vanishing gradients through the repeated product of
# Jacobians / tanh derivatives and W_hh. 1 pt: the LSTM's additive cell state and gates
# (forget gate near 1) keep information and gradient over many steps.
# ### END SOLUTION

# %% [markdown]
# ## 5. Two models, two optimisers (1 point)
#
# Given code trains an `nn.RNN`-based and an `nn.LSTM`-based model to turn 6 binary digits
# (most significant first) into their decimal value (64 classes). Write
# `make_optimizers(rnn, lstm, lr)` returning `(opt_rnn, opt_lstm)`, two plain
# `torch.optim.SGD` optimisers with learning rate `lr`, **each over its own model's parameters**.
# (An optimiser built over the wrong model trains nothing: one of the two curves stays flat.)

# %% nbgrader={"grade": false, "grade_id": "make_optimizers", "locked": false, "schema_version": 3, "solution": true, "task": false}
def make_optimizers(rnn, lstm, lr):
    """Two SGD optimisers: one over rnn's parameters, one over lstm's."""
    ### BEGIN SOLUTION
    return torch.optim.SGD(rnn.parameters(), lr=lr), torch.optim.SGD(lstm.parameters(), lr=lr)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_make_optimizers_values", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: two optimisers.
opt_a, opt_b = make_optimizers(nn.Linear(2, 2), nn.Linear(3, 3), 0.1)
assert isinstance(opt_a, torch.optim.Optimizer) and isinstance(opt_b, torch.optim.Optimizer)
print("make_optimizers: two optimisers")

# Hidden test: two SGD optimizers, each over its own model"s parameters, with lr.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("make_optimizers", "values")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "binary_experiment", "locked": true, "schema_version": 3, "solution": false, "task": false}
class BinaryReader(nn.Module):
    """Reads bits (B, n_bits, 1) with a recurrent layer; classifies the value from the last step."""

    def __init__(self, cell, hidden=32, classes=64):
        super().__init__()
        self.rnn = cell(1, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


set_seed(1)
binary_rnn, binary_lstm = BinaryReader(nn.RNN).to(device), BinaryReader(nn.LSTM).to(device)
opt_rnn, opt_lstm = make_optimizers(binary_rnn, binary_lstm, lr=0.5)
binary_loader = make_loader(BinaryToDecimalDataset(6, size=2048, seed=0), 64)
binary_losses = {"RNN": [], "LSTM": []}
for epoch in range(3 if SHORT_SCHEDULE else 30):
    for name, model, opt in (("RNN", binary_rnn, opt_rnn), ("LSTM", binary_lstm, opt_lstm)):
        total = 0.0
        for x, y in binary_loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(x.to(device)), y.to(device))
            loss.backward()
            opt.step()
            total += loss.item()
        binary_losses[name].append(total / len(binary_loader))
plot_losses(binary_losses, "binary to decimal (SGD)")

# %% [markdown]
# ## 6. Images as sequences (6 points + 2 written)
#
# A handwritten digit image of $R \times C$ pixels can be read as a sequence of $R$ rows, each a
# vector of $C$ pixels. The loader `mnist_sequences.py` comes with this notebook: with the MNIST
# IDX files (`train-images-idx3-ubyte` ... `t10k-labels-idx1-ubyte`, optionally `.gz`) in
# `data/mnist/real/` beside this notebook (or the environment variable `MNIST_DIR` naming their
# folder) it reads MNIST ($28 \times 28$); otherwise it uses the $8 \times 8$ handwritten digits
# that scikit-learn ships (real scans, smaller). The line printed below says which.

# %% nbgrader={"grade": false, "grade_id": "load_digits", "locked": true, "schema_version": 3, "solution": false, "task": false}
from mnist_sequences import load_digit_sequences

X_train, y_train, X_test, y_test, digits_kind = load_digit_sequences()
print(f"{digits_kind}: train {X_train.shape}, test {X_test.shape}")
fig, axes = plt.subplots(1, 8, figsize=(10, 1.6))
for ax, image, label in zip(axes, X_train, y_train):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(int(label))
    ax.axis("off")
plt.show()

# %% [markdown]
# What is the length of the sequences the models below read, what is one step's input, and what
# kind of sequence problem is this (one-to-one, one-to-many, many-to-one, many-to-many)?

# %% [markdown] nbgrader={"grade": true, "grade_id": "sequence_type", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Each image is read row by row: the sequence has as many steps as the image
# has rows (8 for the scikit-learn digits, 28 for MNIST), and each step's input is one row of
# pixels (8 or 28 values). One label is predicted after the whole sequence has been read: a
# many-to-one problem (sequence classification).
#
# **Rubric (2 points).** 1 pt: length = number of rows (8 or 28, matching the data in use) and
# one row of pixels per step. 1 pt: many-to-one.
# ### END SOLUTION

# %% [markdown]
# Write three classifiers with PyTorch's recurrent modules, each with `self.rnn` (batch first)
# and `self.fc = nn.Linear(hidden_size, num_classes)`:
#
# - `myRNN(input_size, hidden_size=150, num_classes=10)` with `self.rnn = nn.RNN(input_size,
#   hidden_size, batch_first=True)`;
# - `myGatedRNN` the same with `nn.GRU`;
# - `myLSTM` the same with `nn.LSTM`.
#
# Each has `init_hidden(batch_size)` returning the initial state, zeros of shape
# $(1, B, H)$ on the module's device and with its dtype (`myLSTM`: a tuple `(h0, c0)`), and
# `forward(x)` for `x` of shape $(B, T, \text{input\_size})$ returning the logits of the last
# step, $(B, \text{num\_classes})$.

# %% nbgrader={"grade": false, "grade_id": "seq_rnn", "locked": false, "schema_version": 3, "solution": true, "task": false}
class myRNN(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super().__init__()
        ### BEGIN SOLUTION
        self.hidden_size = hidden_size
        self.rnn = nn.RNN(input_size, self.hidden_size, batch_first=True)
        self.fc = nn.Linear(self.hidden_size, num_classes)
        ### END SOLUTION

    def init_hidden(self, batch_size):
        ### BEGIN SOLUTION
        weight = next(self.parameters())
        return torch.zeros(1, batch_size, self.hidden_size, device=weight.device, dtype=weight.dtype)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        out, _ = self.rnn(x, self.init_hidden(x.size(0)))
        return self.fc(out[:, -1, :])
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_seq_rnn_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: logits of shape (B, num_classes).
assert myRNN(8, 16, 10)(torch.randn(4, 8, 8)).shape == (4, 10)
print("myRNN: shapes OK")

# Hidden test: logits from the last step against the reference with your parameters, B = 1 included, float32 and float64, on every grading device.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("seq_rnn", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_seq_rnn_hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: the initial state's shape.
assert myRNN(8, 16, 10).init_hidden(3).shape == (1, 3, 16)
print("myRNN.init_hidden: shape OK")

# Hidden test: init_hidden: zeros of shape (1, B, H) on the module"s device and dtype.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("seq_rnn", "hidden")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "seq_gru", "locked": false, "schema_version": 3, "solution": true, "task": false}
class myGatedRNN(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super().__init__()
        ### BEGIN SOLUTION
        self.hidden_size = hidden_size
        self.rnn = nn.GRU(input_size, self.hidden_size, batch_first=True)
        self.fc = nn.Linear(self.hidden_size, num_classes)
        ### END SOLUTION

    def init_hidden(self, batch_size):
        ### BEGIN SOLUTION
        weight = next(self.parameters())
        return weight.new_zeros(1, batch_size, self.hidden_size)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        out, _ = self.rnn(x, self.init_hidden(x.size(0)))
        return self.fc(out[:, -1, :])
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_seq_gru_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: logits of shape (B, num_classes).
assert myGatedRNN(8, 16, 10)(torch.randn(4, 8, 8)).shape == (4, 10)
print("myGatedRNN: shapes OK")

# Hidden test: logits from the last step against the reference with your parameters, B = 1 included, float32 and float64, on every grading device.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("seq_gru", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_seq_gru_hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: the initial state's shape.
assert myGatedRNN(8, 16, 10).init_hidden(3).shape == (1, 3, 16)
print("myGatedRNN.init_hidden: shape OK")

# Hidden test: init_hidden: zeros of shape (1, B, H) on the module"s device and dtype.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("seq_gru", "hidden")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "seq_lstm", "locked": false, "schema_version": 3, "solution": true, "task": false}
class myLSTM(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super().__init__()
        ### BEGIN SOLUTION
        self.hidden_size = hidden_size
        self.rnn = nn.LSTM(input_size, self.hidden_size, batch_first=True)
        self.fc = nn.Linear(self.hidden_size, num_classes)
        ### END SOLUTION

    def init_hidden(self, batch_size):
        ### BEGIN SOLUTION
        weight = next(self.parameters())
        return (weight.new_zeros(1, batch_size, self.hidden_size), weight.new_zeros(1, batch_size, self.hidden_size))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        out, _ = self.rnn(x, self.init_hidden(x.size(0)))
        return self.fc(out[:, -1, :])
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_seq_lstm_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: logits of shape (B, num_classes).
assert myLSTM(8, 16, 10)(torch.randn(4, 8, 8)).shape == (4, 10)
print("myLSTM: shapes OK")

# Hidden test: logits from the last step against the reference with your parameters, B = 1 included, float32 and float64, on every grading device.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("seq_lstm", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_seq_lstm_hidden", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: (h0, c0), each of shape (1, B, H).
h0_test, c0_test = myLSTM(8, 16, 10).init_hidden(3)
assert h0_test.shape == c0_test.shape == (1, 3, 16)
print("myLSTM.init_hidden: shapes OK")

# Hidden test: init_hidden: zeros of shape (1, B, H) on the module"s device and dtype.
### BEGIN HIDDEN TESTS
from grader_tests.sequence_models import check
check("seq_lstm", "hidden")
### END HIDDEN TESTS

# %% [markdown]
# Given code: the three classifiers trained with your `train`, then tested.

# %% nbgrader={"grade": false, "grade_id": "digits_experiment", "locked": true, "schema_version": 3, "solution": false, "task": false}
digits = dict(hidden=64, epochs=8, lr=1e-2) if SHORT_SCHEDULE else dict(hidden=128, epochs=30, lr=3e-3)
train_loader = make_loader(torch.utils.data.TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train)), 64)
test_loader = make_loader(torch.utils.data.TensorDataset(torch.from_numpy(X_test), torch.from_numpy(y_test)), 256,
                          shuffle=False)
digit_losses = {}
for name, cls in (("RNN", myRNN), ("GRU", myGatedRNN), ("LSTM", myLSTM)):
    set_seed(0)
    model = cls(X_train.shape[2], digits["hidden"], 10).to(device)
    start = time.perf_counter()
    digit_losses[name] = train(model, nn.CrossEntropyLoss(), digits["epochs"], train_loader, lr=digits["lr"])
    print(f"{name}: test accuracy {accuracy(model, test_loader, device):.3f} "
          f"({time.perf_counter() - start:.1f} s)")
plot_losses(digit_losses, f"digits as sequences ({digits_kind})")


# %% [markdown]
# ## Self-check before you submit
#
# Save the notebook, then run the next cell: it needs none of the cells above. For each unit it
# prints one line: answered or not, whether its visible tests pass (or the first one that fails,
# and why), and the points at stake. Hidden tests decide your points, so passing the visible
# tests is a start, not a grade. In a terminal in this folder, `python selfcheck.py` does the same.

# %% nbgrader={"grade": false, "grade_id": "self_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
import selfcheck

selfcheck.check("sequence_models.ipynb")
