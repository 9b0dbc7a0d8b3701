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
# # Recurrent cells: LSTM, GRU, deep and bidirectional RNNs
#
# You will write an LSTM cell and a GRU cell from scratch, stack cells into deep one-direction
# and bidirectional classifiers, train them on spoken digits (*one*, *two*, *three*) and answer
# a few questions on why gated cells train better than a vanilla RNN.
#
# **Rules.**
# - Write your code only between `# YOUR CODE HERE` and the end of that block; keep the class
#   names, signatures and attribute names given in each answer cell: the tests use them.
# - From scratch means: `nn.Linear` and tensor operations only. torch's recurrent modules and
#   kernels (`nn.LSTMCell`, `nn.GRUCell`, `nn.RNNCell`, `nn.LSTM`, `nn.GRU`, `nn.RNN`,
#   `torch.lstm_cell`, `torch.gru_cell`, `torch._VF`, ...) score 0 for the unit that uses them.
# - The visible tests check shapes only. Hidden tests compare your values and gradients with a
#   reference on several shapes, both dtypes and, when available, a GPU.
# - Each unit is graded on its own: `RNNModel` and `BidirRecurrentModel` are graded with
#   correct LSTM/GRU cells, so a bug in your cell does not cost you twice.
#
# | part | points |
# | --- | --- |
# | 1. LSTM cell | 7 |
# | 2. GRU cell | 7 |
# | 3. A deep one-direction RNN classifier | 7 |
# | 4. A bidirectional classifier | 7 |
# | 5. Theory | 3 + 8 written |

# %% [markdown]
# ## 0. Setup (given code)

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import math
import os
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from matplotlib import pyplot as plt
from tqdm.auto import tqdm

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# Under autograde (and when you set COURSE_SHORT_SCHEDULE=1) the training section runs a
# short schedule so that grading takes seconds.
SHORT_SCHEDULE = os.environ.get("COURSE_SHORT_SCHEDULE") == "1"
# `nbgrader validate` shows each failing check by its error line alone (no traceback)
if os.environ.get("NBGRADER_VALIDATING"):
    get_ipython().run_line_magic("xmode", "Minimal")


def set_seed(seed):
    """Seed Python, numpy and torch (CPU and GPU) for reproducible runs."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


set_seed(42)
print("device:", device, "| short schedule:", SHORT_SCHEDULE)


# %% [markdown]
# ### A vanilla RNN cell (given)
#
# `BasicRNNCell` computes $h' = \phi(x W_{x}^\top + b_x + h W_{h}^\top + b_h)$ with
# $\phi$ = tanh or ReLU, using two `nn.Linear` layers `x2h` and `h2h`. Your cells follow the
# same pattern: `x2h` projects the input, `h2h` the previous hidden state, and every parameter
# starts uniform in $\pm 1/\sqrt{H}$.

# %% nbgrader={"grade": false, "grade_id": "basic_rnn_cell", "locked": true, "schema_version": 3, "solution": false, "task": false}
class BasicRNNCell(nn.Module):
    """Elman cell. input: (B, input_size); hx: (B, hidden_size) or None; returns (B, hidden_size)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh"):
        super().__init__()
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError("nonlinearity must be 'tanh' or 'relu'")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.bias, self.nonlinearity = bias, nonlinearity
        self.x2h = nn.Linear(input_size, hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, hidden_size, bias=bias)
        bound = 1.0 / math.sqrt(hidden_size)
        for w in self.parameters():
            nn.init.uniform_(w, -bound, bound)

    def forward(self, input, hx=None):
        if hx is None:
            hx = input.new_zeros(input.shape[0], self.hidden_size)
        pre = self.x2h(input) + self.h2h(hx)
        return torch.tanh(pre) if self.nonlinearity == "tanh" else torch.relu(pre)


# %% [markdown]
# ## 1. LSTM cell (7 points)
#
# With $B$ the batch size and $H$ the hidden size, `x2h(x) + h2h(h)` has shape $(B, 4H)$.
# Split it along dim 1 into four $(B, H)$ blocks, **in this order**: input $i$, forget $f$,
# cell candidate $g$, output $o$ (PyTorch's order). Then
#
# $$i, f, o = \sigma(\cdot),\quad g = \tanh(\cdot),\quad
#   c' = f \odot c + i \odot g,\quad h' = o \odot \tanh(c').$$
#
# - `__init__(input_size, hidden_size, bias=True)`: `self.x2h = nn.Linear(input_size, 4H, bias=bias)`,
#   `self.h2h = nn.Linear(H, 4H, bias=bias)`, every parameter uniform in $\pm 1/\sqrt{H}$.
# - `forward(input, hx=None)`: `input` $(B, \text{input\_size})$; `hx` is `None` (then
#   $h = c = 0$, with the input's dtype and device) or a tuple `(h, c)` of $(B, H)$ tensors.
#   Return `(h_next, c_next)`, each $(B, H)$. It must work for $B = 1$.

# %% nbgrader={"grade": false, "grade_id": "lstm_cell", "locked": false, "schema_version": 3, "solution": true, "task": false}
class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        ### BEGIN SOLUTION
        self.x2h = nn.Linear(input_size, 4 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size, bias=bias)
        bound = 1.0 / math.sqrt(hidden_size)
        for w in self.parameters():
            nn.init.uniform_(w, -bound, bound)
        ### END SOLUTION

    def forward(self, input, hx=None):
        ### BEGIN SOLUTION
        if hx is None:
            zeros = input.new_zeros(input.shape[0], self.hidden_size)
            hx = (zeros, zeros)
        h, c = hx
        i, f, g, o = (self.x2h(input) + self.h2h(h)).chunk(4, dim=1)
        c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h_next = torch.sigmoid(o) * torch.tanh(c_next)
        return h_next, c_next
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_lstm_cell", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: shapes, with hx=None and with a given state.
Cell = LSTMCell
cell = Cell(10, 20)
x = torch.randn(3, 10)
h, c = cell(x)
assert h.shape == (3, 20) and c.shape == (3, 20), "h_next and c_next must be (B, hidden_size)"
h2, c2 = cell(x, (h, c))
assert h2.shape == (3, 20) and c2.shape == (3, 20)
assert cell.x2h.weight.shape == (80, 10) and cell.h2h.weight.shape == (80, 20)
print("LSTMCell shapes OK")

# %% nbgrader={"grade": true, "grade_id": "test_lstm_cell_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Hidden test: LSTMCell forward values against the reference on several shapes (batch size 1 included), float32 and float64, CPU and GPU.
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("lstm_cell", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_lstm_cell_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden test: LSTMCell gradients (autograd through your module) against the reference, with shared parameters.
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("lstm_cell", "backward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_lstm_cell_structure", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden test: LSTMCell parameter names, shapes and initialisation.
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("lstm_cell", "structure")
### END HIDDEN TESTS

# %% [markdown]
# ## 2. GRU cell (7 points)
#
# `x2h(x)` and `h2h(h)` each have shape $(B, 3H)$; split each along dim 1 into reset, update
# and new chunks: $x_r, x_z, x_n$ and $h_r, h_z, h_n$ (biases included). Then
#
# $$r = \sigma(x_r + h_r),\quad z = \sigma(x_z + h_z),\quad
#   n = \tanh(x_n + r \odot h_n),\quad h' = (1 - z) \odot n + z \odot h.$$
#
# Note that the reset gate multiplies `h2h`'s new chunk $h_n$ (as in PyTorch's GRU), and the
# blend uses the previous state $h$.
# - `__init__(input_size, hidden_size, bias=True)`: `self.x2h` $(\text{input\_size} \to 3H)$,
#   `self.h2h` $(H \to 3H)$, init uniform in $\pm 1/\sqrt{H}$.
# - `forward(input, hx=None)`: `hx` is `None` (zeros like the input) or $(B, H)$; return $h'$,
#   $(B, H)$.

# %% nbgrader={"grade": false, "grade_id": "gru_cell", "locked": false, "schema_version": 3, "solution": true, "task": false}
class GRUCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        ### BEGIN SOLUTION
        self.x2h = nn.Linear(input_size, 3 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 3 * hidden_size, bias=bias)
        bound = 1.0 / math.sqrt(hidden_size)
        for w in self.parameters():
            nn.init.uniform_(w, -bound, bound)
        ### END SOLUTION

    def forward(self, input, hx=None):
        ### BEGIN SOLUTION
        if hx is None:
            hx = input.new_zeros(input.shape[0], self.hidden_size)
        x_r, x_z, x_n = self.x2h(input).chunk(3, dim=1)
        h_r, h_z, h_n = self.h2h(hx).chunk(3, dim=1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
        return (1 - z) * n + z * hx
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_gru_cell", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: shapes, with hx=None and with a given state.
Cell = GRUCell
cell = Cell(10, 20)
x = torch.randn(3, 10)
h = cell(x)
assert h.shape == (3, 20), "h_next must be (B, hidden_size)"
assert cell(x, h).shape == (3, 20)
assert cell.x2h.weight.shape == (60, 10) and cell.h2h.weight.shape == (60, 20)
print("GRUCell shapes OK")

# %% nbgrader={"grade": true, "grade_id": "test_gru_cell_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Hidden test: GRUCell forward values against the reference on several shapes (batch size 1 included), float32 and float64, CPU and GPU.
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("gru_cell", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_gru_cell_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden test: GRUCell gradients (autograd through your module) against the reference, with shared parameters.
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("gru_cell", "backward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_gru_cell_structure", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden test: GRUCell parameter names, shapes and initialisation.
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("gru_cell", "structure")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. A deep one-direction RNN classifier (7 points)
#
# `RNNModel(mode, input_size, hidden_size, num_layers, bias, output_size)` stacks
# `num_layers` cells in `self.rnn_cell_list` (an `nn.ModuleList`): layer 0 maps
# `input_size` → $H$, the others $H$ → $H$. `mode` selects the cell: `'LSTM'` → `LSTMCell`,
# `'GRU'` → `GRUCell`, `'RNN_TANH'` / `'RNN_RELU'` → `BasicRNNCell` with that nonlinearity;
# anything else raises `ValueError`. `self.fc = nn.Linear(H, output_size)`.
#
# `forward(input, hx=None)`: `input` is $(B, T, \text{input\_size})$. Every layer starts from
# zeros; at each step $t$, layer 0 reads $x_t$ and layer $l > 0$ reads layer $l-1$'s new hidden
# state. Return `self.fc` of the top layer's hidden state after step $T-1$: logits $(B,
# \text{output\_size})$. (`hx` may be ignored.) LSTM cells carry a tuple `(h, c)`.

# %% nbgrader={"grade": false, "grade_id": "rnn_model", "locked": false, "schema_version": 3, "solution": true, "task": false}
class RNNModel(nn.Module):
    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.output_size = output_size
        self.rnn_cell_list = nn.ModuleList()
        ### BEGIN SOLUTION
        if mode not in ("LSTM", "GRU", "RNN_TANH", "RNN_RELU"):
            raise ValueError(f"Invalid RNN mode: {mode}")
        for layer in range(num_layers):
            size_in = input_size if layer == 0 else hidden_size
            if mode == "LSTM":
                cell = LSTMCell(size_in, hidden_size, bias)
            elif mode == "GRU":
                cell = GRUCell(size_in, hidden_size, bias)
            else:
                cell = BasicRNNCell(size_in, hidden_size, bias, mode[4:].lower())
            self.rnn_cell_list.append(cell)
        ### END SOLUTION
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, input, hx=None):
        ### BEGIN SOLUTION
        states = [None] * self.num_layers      # None: each cell starts from zeros
        for t in range(input.shape[1]):
            layer_input = input[:, t, :]
            for layer, cell in enumerate(self.rnn_cell_list):
                states[layer] = cell(layer_input, states[layer])
                layer_input = states[layer][0] if self.mode == "LSTM" else states[layer]
        return self.fc(layer_input)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rnn_model", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: logits shape for every mode, batch size 1, and ValueError for a bad mode.
Model = RNNModel
for mode in ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"]:
    model = Model(mode, 5, 8, 2, True, 3)
    assert model(torch.randn(4, 7, 5)).shape == (4, 3), f"mode {mode}: logits must be (B, output_size)"
    assert model(torch.randn(1, 7, 5)).shape == (1, 3), f"mode {mode}: batch size 1 must work"
try:
    Model("TRANSFORMER", 5, 8, 2, True, 3)
except ValueError:
    pass
else:
    raise AssertionError("an unknown mode must raise ValueError")
print("RNNModel shapes OK")

# %% nbgrader={"grade": true, "grade_id": "test_rnn_model_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Hidden test: RNNModel forward values against the reference on several shapes (batch size 1 included), float32 and float64, CPU and GPU.
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("rnn_model", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_rnn_model_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden test: RNNModel gradients (autograd through your module) against the reference, with shared parameters.
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("rnn_model", "backward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_rnn_model_structure", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden test: RNNModel parameter names, shapes and initialisation.
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("rnn_model", "structure")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. A bidirectional classifier (7 points)
#
# `BidirRecurrentModel` has the same constructor. It holds **two independent stacks** with
# separate weights: the forward cells in `self.rnn_cell_list` read $t = 0, \dots, T-1$; the
# backward cells in `self.rnn_cell_list_rev` read $t = T-1, \dots, 0$. In each stack layer
# $l > 0$ reads that stack's layer $l-1$. All states start from zeros.
# `self.fc = nn.Linear(2H, output_size)` maps
# `cat([h_forward_top after t = T-1, h_backward_top after t = 0], dim=1)` to the logits
# $(B, \text{output\_size})$.
#
# (For `num_layers` ≥ 2 this differs from `nn.LSTM(bidirectional=True)`, whose upper layers
# read both directions.)

# %% nbgrader={"grade": false, "grade_id": "bidir_model", "locked": false, "schema_version": 3, "solution": true, "task": false}
class BidirRecurrentModel(nn.Module):
    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.output_size = output_size
        self.rnn_cell_list = nn.ModuleList()
        self.rnn_cell_list_rev = nn.ModuleList()
        ### BEGIN SOLUTION
        cell_types = {"LSTM": (LSTMCell, ()), "GRU": (GRUCell, ()),
                      "RNN_TANH": (BasicRNNCell, ("tanh",)), "RNN_RELU": (BasicRNNCell, ("relu",))}
        if mode not in cell_types:
            raise ValueError(f"Invalid RNN mode: {mode}")
        cell_class, extra = cell_types[mode]
        for stack in (self.rnn_cell_list, self.rnn_cell_list_rev):
            for layer in range(num_layers):
                size_in = input_size if layer == 0 else hidden_size
                stack.append(cell_class(size_in, hidden_size, bias, *extra))
        self.fc = nn.Linear(2 * hidden_size, output_size)
        ### END SOLUTION

    def forward(self, input, hx=None):
        ### BEGIN SOLUTION
        def run(cells, steps):
            states = [None] * self.num_layers
            for t in steps:
                layer_input = input[:, t, :]
                for layer, cell in enumerate(cells):
                    states[layer] = cell(layer_input, states[layer])
                    layer_input = states[layer][0] if self.mode == "LSTM" else states[layer]
            return layer_input

        T = input.shape[1]
        forward_top = run(self.rnn_cell_list, range(T))
        backward_top = run(self.rnn_cell_list_rev, range(T - 1, -1, -1))
        return self.fc(torch.cat([forward_top, backward_top], dim=1))
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_bidir_model", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: logits shape for every mode, separate backward cells.
Model = BidirRecurrentModel
for mode in ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"]:
    model = Model(mode, 5, 8, 2, True, 3)
    assert model(torch.randn(4, 7, 5)).shape == (4, 3), f"mode {mode}: logits must be (B, output_size)"
    assert model(torch.randn(1, 1, 5)).shape == (1, 3), f"mode {mode}: B = T = 1 must work"
    assert len(model.rnn_cell_list_rev) == 2, "one backward cell per layer"
    assert model.fc.in_features == 16, "fc reads both directions: nn.Linear(2 * hidden_size, ...)"
print("BidirRecurrentModel shapes OK")

# %% nbgrader={"grade": true, "grade_id": "test_bidir_model_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Hidden test: BidirRecurrentModel forward values against the reference on several shapes (batch size 1 included), float32 and float64, CPU and GPU.
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("bidir_model", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_bidir_model_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden test: BidirRecurrentModel gradients (autograd through your module) against the reference, with shared parameters.
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("bidir_model", "backward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_bidir_model_structure", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden test: BidirRecurrentModel parameter names, shapes and initialisation.
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("bidir_model", "structure")
### END HIDDEN TESTS

# %% [markdown]
# ## Training on spoken digits (given code)
#
# The data are one-second recordings of the words *one*, *two*, *three* from Google's Speech
# Commands v0.02, turned into 20 MFCC coefficients per 32 ms hop: each clip is a sequence of
# $T = 32$ vectors of size 20. The loader, `speech_commands.py`, comes with this notebook: keep
# it in the same folder. To use the real recordings, put the dataset's folders `one/`, `two/`,
# `three/` and its files `validation_list.txt` and `testing_list.txt` into
# `data/speech_commands/real/` beside this notebook (or set the environment variable
# `SPEECH_COMMANDS_ROOT` to such a folder). Without them, a synthesised stand-in with the same
# layout is built in `data/speech_commands/standin/` the first time (a few seconds); the line
# printed below says which data are used. MFCCs are computed once and cached in `data/cache/`.

# %% nbgrader={"grade": false, "grade_id": "load_data", "locked": true, "schema_version": 3, "solution": false, "task": false}
from torch.utils.data import DataLoader
from speech_commands import SpeechCommandsDataset, find_dataset_root

dataset_root, dataset_kind = find_dataset_root()
train_set = SpeechCommandsDataset(dataset_root, "train")
valid_set = SpeechCommandsDataset(dataset_root, "valid")
test_set = SpeechCommandsDataset(dataset_root, "test")
seq_len, n_features = train_set[0][0].shape
print(f"{dataset_kind} data: {len(train_set)} train / {len(valid_set)} valid / "
      f"{len(test_set)} test clips, each ({seq_len}, {n_features})")


# %% nbgrader={"grade": false, "grade_id": "training_loop", "locked": true, "schema_version": 3, "solution": false, "task": false}
def accuracy(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for features, labels in loader:
            logits = model(features.to(device))
            correct += (logits.argmax(1).cpu() == labels).sum().item()
            total += labels.numel()
    return correct / max(total, 1)


def train(model, epochs, batch_size=32, lr=3e-3, max_batches=None):
    """Adam on cross-entropy; returns per-epoch train loss and validation accuracy."""
    set_seed(0)
    model = model.to(device)
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    valid_loader = DataLoader(valid_set, batch_size=256)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"loss": [], "valid_acc": []}
    for epoch in tqdm(range(epochs), desc=type(model).__name__):
        model.train()
        losses = []
        for k, (features, labels) in enumerate(loader):
            if max_batches is not None and k >= max_batches:
                break
            loss = F.cross_entropy(model(features.to(device)), labels.to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history["loss"].append(float(np.mean(losses)))
        history["valid_acc"].append(accuracy(model, valid_loader))
    return model, history


# %% [markdown]
# Train a 2-layer model of each kind (the short schedule under autograde only checks that
# your classes train). Try other modes and sizes if you like.

# %% nbgrader={"grade": false, "grade_id": "train_models", "locked": true, "schema_version": 3, "solution": false, "task": false}
epochs, max_batches = (1, 3) if SHORT_SCHEDULE else (15, None)
histories = {}
for label, build in [("RNN_TANH", lambda: RNNModel("RNN_TANH", n_features, 32, 2, True, 3)),
                     ("LSTM", lambda: RNNModel("LSTM", n_features, 32, 2, True, 3)),
                     ("Bidir-GRU", lambda: BidirRecurrentModel("GRU", n_features, 32, 2, True, 3))]:
    set_seed(0)
    model, histories[label] = train(build(), epochs, max_batches=max_batches)
    test_acc = accuracy(model, DataLoader(test_set, batch_size=256))
    print(f"{label}: final train loss {histories[label]['loss'][-1]:.3f}, test accuracy {test_acc:.1%}")

fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.5))
for label, history in histories.items():
    epochs_axis = range(1, len(history["loss"]) + 1)
    ax_loss.plot(epochs_axis, history["loss"], marker="o", label=label)
    ax_acc.plot(epochs_axis, history["valid_acc"], marker="o", label=label)
ax_loss.set(xlabel="epoch", ylabel="train cross-entropy", title="Training loss")
ax_acc.set(xlabel="epoch", ylabel="validation accuracy", title="Validation accuracy")
ax_loss.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 5. Theory (3 points + 8 written)
#
# ### 5.1 Vanishing gradients (3 points, written)
# What is the vanishing-gradient problem and why does it happen when training RNNs with
# backpropagation through time? Name two activation functions that make it worse and two that
# make it less severe, and explain why.

# %% [markdown] nbgrader={"grade": true, "grade_id": "theory_vanishing", "locked": false, "points": 3, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Backpropagation through time multiplies one Jacobian per step,
# $\partial h_t / \partial h_{t-1} = \mathrm{diag}(\phi'(a_t)) W_h$. When the norms of these
# factors are below 1, the gradient reaching early steps (or early layers) shrinks
# exponentially with the distance, so long-range dependencies get almost no learning signal.
# Saturating activations make it worse: the sigmoid's derivative is at most 1/4 and tanh's at
# most 1, both near 0 when the unit saturates. ReLU (derivative exactly 1 for positive inputs)
# and leaky ReLU / ELU (non-zero slope for negative inputs too) keep the factor from shrinking,
# so they are less affected (ReLU can instead explode or die).
#
# **Rubric (3 points).** 1 pt: repeated multiplication of per-step Jacobians/derivatives
# through time makes the gradient shrink exponentially. 1 pt: two more-affected activations
# (sigmoid, tanh, or other saturating ones) with the reason (small/zero derivative when
# saturated, sigmoid' ≤ 1/4). 1 pt: two less-affected ones (ReLU, leaky ReLU, ELU, GELU...)
# with the reason (derivative 1 or non-saturating for positive inputs). No point for naming
# functions without a reason.
# ### END SOLUTION

# %% [markdown]
# ### 5.2 Why LSTMs help (2 points, written)
# Why does an LSTM suffer less from vanishing gradients than a vanilla RNN?

# %% [markdown] nbgrader={"grade": true, "grade_id": "theory_lstm", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** The cell state is updated additively, $c_t = f_t \odot c_{t-1} + i_t \odot
# g_t$, so $\partial c_t / \partial c_{t-1} = f_t$ (elementwise) with no squashing
# nonlinearity and no weight matrix in that path. When the forget gate stays near 1 the
# gradient flows across many steps almost unchanged (the "constant error carousel"), and the
# network *learns* through its gates when to keep or reset that memory. In a vanilla RNN every
# step multiplies by $W_h$ and $\phi'$, which shrinks the gradient.
#
# **Rubric (2 points).** 1 pt: additive cell-state update / gradient path through $c$ with
# derivative $f_t$, no repeated matrix-and-activation product. 1 pt: the gates (forget gate in
# particular) are learned and control how much is kept, so the path can stay open over long
# spans.
# ### END SOLUTION

# %% [markdown]
# ### 5.3 Which curve is which model? (3 points)
#
# The figure below comes from real training runs of a vanilla RNN (tanh), an LSTM and a GRU on
# this course's spoken-digit data: same data, hidden size, optimiser and seed. The left panel
# shows the training loss per epoch; the right panel shows the same curves against the
# training compute spent (multiply-adds of the recurrent cells). Set `A_model`, `B_model` and
# `C_model` to `'RNN'`, `'LSTM'` or `'GRU'` (exact strings), then justify your choice in the
# next cell (not graded: it helps you check your reasoning).

# %% nbgrader={"grade": false, "grade_id": "show_identification_figure", "locked": true, "schema_version": 3, "solution": false, "task": false}
from IPython.display import Image, display
display(Image(filename="model_identification.png", width=900))

# %% nbgrader={"grade": false, "grade_id": "model_identification", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
A_model = "LSTM"
B_model = "RNN"
C_model = "GRU"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_model_identification_A", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
assert A_model in ("RNN", "LSTM", "GRU"), "A_model must be 'RNN', 'LSTM' or 'GRU'"

# Hidden test: is A_model the model that drew curve A?
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("model_identification", "A")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_model_identification_B", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
assert B_model in ("RNN", "LSTM", "GRU"), "B_model must be 'RNN', 'LSTM' or 'GRU'"

# Hidden test: is B_model the model that drew curve B?
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("model_identification", "B")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_model_identification_C", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
assert C_model in ("RNN", "LSTM", "GRU"), "C_model must be 'RNN', 'LSTM' or 'GRU'"

# Hidden test: is C_model the model that drew curve C?
### BEGIN HIDDEN TESTS
from grader_tests.recurrent_cells import check
check("model_identification", "C")
### END HIDDEN TESTS

# %% [markdown]
# *Your reasoning (not graded):* ...

# %% [markdown]
# ### 5.4 Choosing a model (3 points, written)
# When would you use a vanilla RNN, a GRU, and an LSTM? Give one kind of problem or constraint
# for each, with the reason.

# %% [markdown] nbgrader={"grade": true, "grade_id": "theory_model_choice", "locked": false, "points": 3, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** *Vanilla RNN*: short sequences or short-range dependencies, tiny models or
# very tight compute/memory budgets (one gate's worth of weights), and as a baseline.
# *GRU*: when gating is needed but data or compute are limited: about 3/4 of an LSTM's
# parameters and cost, often similar accuracy, trains faster on smaller datasets.
# *LSTM*: long sequences with long-range dependencies and enough data, where the separate
# cell state and output gate give finer control of memory (e.g. long text, speech, long time
# series).
#
# **Rubric (3 points).** 1 pt per model: a plausible use case *and* the reason (cost vs
# ability to keep long-range information). Answers that only say "LSTM is best" get 0 for
# the other two.
# ### END SOLUTION


# %% [markdown]
# ## Self-check before you submit
#
# Save the notebook, then run the next cell: it needs none of the cells above. For each unit it
# prints one line: answered or not, whether its visible tests pass (or the first one that fails,
# and why), and the points at stake. Hidden tests decide your points, so passing the visible
# tests is a start, not a grade. In a terminal in this folder, `python selfcheck.py` does the same.

# %% nbgrader={"grade": false, "grade_id": "self_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
import selfcheck

selfcheck.check("recurrent_cells.ipynb")
