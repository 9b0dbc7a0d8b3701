"""Reference implementations for the `recurrent_cells` assignment.

Single source of truth for the graded units of
`source/recurrent_cells/recurrent_cells.ipynb`; `tests/test_reference_recurrent_cells.py`
cross-checks them against `torch.nn` and shows that the notebook's solutions agree.

Each class names the notebook section (and nbgrader grade_id) it serves.
"""
import math

import torch
import torch.nn as nn

MODES = ("LSTM", "GRU", "RNN_TANH", "RNN_RELU")


def _uniform_init(module, hidden_size):
    """Initialise every parameter of `module` uniformly in +-1/sqrt(hidden_size)."""
    bound = 1.0 / math.sqrt(hidden_size)
    for w in module.parameters():
        nn.init.uniform_(w, -bound, bound)


class BasicRNNCell(nn.Module):
    """Given code (section 2): an Elman cell h' = act(x W_x^T + b_x + h W_h^T + b_h).

    - input: (B, input_size); hx: (B, hidden_size) or None (zeros); returns h': (B, hidden_size).
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh"):
        super().__init__()
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError("nonlinearity must be 'tanh' or 'relu'")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.bias, self.nonlinearity = bias, nonlinearity
        self.x2h = nn.Linear(input_size, hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, hidden_size, bias=bias)
        _uniform_init(self, hidden_size)

    def forward(self, input, hx=None):
        if hx is None:
            hx = input.new_zeros(input.shape[0], self.hidden_size)
        pre = self.x2h(input) + self.h2h(hx)
        return torch.tanh(pre) if self.nonlinearity == "tanh" else torch.relu(pre)


class LSTMCell(nn.Module):
    """Section 3.1, grade_id `lstm_cell`.

    Gates along the 4H axis in PyTorch's order: input i, forget f, candidate g, output o.
        i, f, o = sigmoid(.), g = tanh(.), c' = f * c + i * g, h' = o * tanh(c')

    - input: (B, input_size)
    - hx: None (zeros like `input`) or a tuple (h, c), each (B, hidden_size)
    Returns (h', c'), each (B, hidden_size).
    """

    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.x2h = nn.Linear(input_size, 4 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size, bias=bias)
        _uniform_init(self, hidden_size)

    def forward(self, input, hx=None):
        if hx is None:
            zeros = input.new_zeros(input.shape[0], self.hidden_size)
            hx = (zeros, zeros)
        h, c = hx
        i, f, g, o = (self.x2h(input) + self.h2h(h)).chunk(4, dim=1)
        c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h_next = torch.sigmoid(o) * torch.tanh(c_next)
        return h_next, c_next


class GRUCell(nn.Module):
    """Section 3.2, grade_id `gru_cell` (PyTorch's GRU).

    Chunks along the 3H axis: reset r, update z, new n.
        r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r * h_n)
        h' = (1 - z) * n + z * h
    where x_* are chunks of x2h(input) and h_* of h2h(h), biases included.

    - input: (B, input_size); hx: None (zeros like `input`) or (B, hidden_size)
    Returns h': (B, hidden_size).
    """

    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.x2h = nn.Linear(input_size, 3 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 3 * hidden_size, bias=bias)
        _uniform_init(self, hidden_size)

    def forward(self, input, hx=None):
        if hx is None:
            hx = input.new_zeros(input.shape[0], self.hidden_size)
        x_r, x_z, x_n = self.x2h(input).chunk(3, dim=1)
        h_r, h_z, h_n = self.h2h(hx).chunk(3, dim=1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
        return (1 - z) * n + z * hx


def make_cell(mode, input_size, hidden_size, bias, cells=None):
    """One cell of the given `mode`; `cells` maps class names to the classes to use."""
    cells = cells or {"LSTMCell": LSTMCell, "GRUCell": GRUCell, "BasicRNNCell": BasicRNNCell}
    if mode == "LSTM":
        return cells["LSTMCell"](input_size, hidden_size, bias)
    if mode == "GRU":
        return cells["GRUCell"](input_size, hidden_size, bias)
    if mode == "RNN_TANH":
        return cells["BasicRNNCell"](input_size, hidden_size, bias, "tanh")
    if mode == "RNN_RELU":
        return cells["BasicRNNCell"](input_size, hidden_size, bias, "relu")
    raise ValueError(f"Invalid RNN mode {mode!r}; expected one of {MODES}")


def _stack(mode, input_size, hidden_size, num_layers, bias):
    return nn.ModuleList(
        make_cell(mode, input_size if layer == 0 else hidden_size, hidden_size, bias)
        for layer in range(num_layers)
    )


def _run_stack(cells, mode, input, time_steps):
    """Run a stack of cells over `time_steps`; returns the top layer's last hidden state.

    - input: (B, T, D); every layer starts from zeros.
    """
    states = [None] * len(cells)  # None makes each cell start from zeros like `input`
    for t in time_steps:
        layer_input = input[:, t, :]
        for layer, cell in enumerate(cells):
            states[layer] = cell(layer_input, states[layer])
            layer_input = states[layer][0] if mode == "LSTM" else states[layer]
    return layer_input


class RNNModel(nn.Module):
    """Section 4.1, grade_id `rnn_model`: a stacked one-direction recurrent classifier.

    - input: (B, T, input_size); returns logits (B, output_size) = fc(h_top at t = T-1).
    """

    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"Invalid RNN mode {mode!r}; expected one of {MODES}")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.output_size = num_layers, bias, output_size
        self.rnn_cell_list = _stack(mode, input_size, hidden_size, num_layers, bias)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, input, hx=None):
        top = _run_stack(self.rnn_cell_list, self.mode, input, range(input.shape[1]))
        return self.fc(top)


class BidirRecurrentModel(nn.Module):
    """Section 4.2, grade_id `bidir_model`: two independent stacks, one per direction.

    - input: (B, T, input_size)
    Returns fc(cat(h_fwd_top after t = T-1, h_bwd_top after t = 0)): (B, output_size).
    """

    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"Invalid RNN mode {mode!r}; expected one of {MODES}")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.output_size = num_layers, bias, output_size
        self.rnn_cell_list = _stack(mode, input_size, hidden_size, num_layers, bias)
        self.rnn_cell_list_rev = _stack(mode, input_size, hidden_size, num_layers, bias)
        self.fc = nn.Linear(2 * hidden_size, output_size)

    def forward(self, input, hx=None):
        steps = input.shape[1]
        fwd = _run_stack(self.rnn_cell_list, self.mode, input, range(steps))
        bwd = _run_stack(self.rnn_cell_list_rev, self.mode, input, range(steps - 1, -1, -1))
        return self.fc(torch.cat([fwd, bwd], dim=1))


# Section 5, grade_id `model_identification`: the course's own runs produced the figure
# (tools/train_identification_curves.py); the answer key is fixed by how it was drawn.
MODEL_IDENTIFICATION = {"A_model": "LSTM", "B_model": "RNN", "C_model": "GRU"}
