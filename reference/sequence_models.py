"""Reference implementations for the `sequence_models` assignment (SPEC 4.5).

Single source of truth for the graded units of `source/sequence_models/sequence_models.ipynb`
(recurrent models on sequences) and `source/sequence_models/sequence_exercises.ipynb` (the
exercises made checkable). Each function or class names its notebook section and grade_id.
`tests/test_reference_sequence_models.py` checks the from-scratch models against torch's own
recurrences and the exercises against their closed forms.

Shapes: x (B, T) digits (input_dim 1) or (B, T, input_dim); logits (B, num_classes) from the
last step; sequence modules read (B, T, input_size) with batch_first=True.
"""
import math

import numpy as np
import torch
import torch.nn as nn


def _uniform(rows, cols):
    """A (rows, cols) parameter uniform in +-1/sqrt(rows)."""
    bound = 1.0 / math.sqrt(rows)
    return nn.Parameter(torch.empty(rows, cols).uniform_(-bound, bound))


def _steps(x, input_dim):
    """(B, T) -> (B, T, 1); (B, T, input_dim) as it is."""
    return x.unsqueeze(-1) if x.dim() == 2 and input_dim == 1 else x


class VanillaRNN(nn.Module):
    """sequence_models section 1, grade_id `vanilla_rnn`: h_t = tanh(x_t W_hx + h_{t-1} W_hh + B_h)
    from h_0 = 0; logits = h_T W_ph + B_y."""

    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super().__init__()
        self.seq_length, self.input_dim, self.num_hidden = seq_length, input_dim, num_hidden
        self.W_hx = _uniform(input_dim, num_hidden)
        self.W_hh = _uniform(num_hidden, num_hidden)
        self.B_h = nn.Parameter(torch.zeros(num_hidden))
        self.W_ph = _uniform(num_hidden, num_classes)
        self.B_y = nn.Parameter(torch.zeros(num_classes))

    def forward(self, x):
        x = _steps(x, self.input_dim)
        h = x.new_zeros(x.shape[0], self.num_hidden)
        for t in range(x.shape[1]):
            h = torch.tanh(x[:, t] @ self.W_hx + h @ self.W_hh + self.B_h)
        return h @ self.W_ph + self.B_y


class LSTM(nn.Module):
    """sequence_models section 2, grade_id `palindrome_lstm`: g = tanh, i, f, o = sigmoid of
    x_t W_*x + h_{t-1} W_*h + B_*; c_t = g i + c_{t-1} f; h_t = tanh(c_t) o; logits from h_T."""

    GATES = ("g", "i", "f", "o")

    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super().__init__()
        self.seq_length, self.input_dim, self.num_hidden = seq_length, input_dim, num_hidden
        for gate in self.GATES:
            setattr(self, f"W_{gate}x", _uniform(input_dim, num_hidden))
            setattr(self, f"W_{gate}h", _uniform(num_hidden, num_hidden))
            setattr(self, f"B_{gate}", nn.Parameter(torch.zeros(num_hidden)))
        self.W_ph = _uniform(num_hidden, num_classes)
        self.B_y = nn.Parameter(torch.zeros(num_classes))

    def forward(self, x):
        x = _steps(x, self.input_dim)
        h = x.new_zeros(x.shape[0], self.num_hidden)
        c = x.new_zeros(x.shape[0], self.num_hidden)
        for t in range(x.shape[1]):
            a = {k: x[:, t] @ getattr(self, f"W_{k}x") + h @ getattr(self, f"W_{k}h") + getattr(self, f"B_{k}")
                 for k in self.GATES}
            c = torch.tanh(a["g"]) * torch.sigmoid(a["i"]) + c * torch.sigmoid(a["f"])
            h = torch.tanh(c) * torch.sigmoid(a["o"])
        return h @ self.W_ph + self.B_y


def lstm_num_params(input_dim, num_hidden, num_classes):
    """sequence_models section 2, grade_id `lstm_param_count`: parameters of `LSTM` above."""
    return 4 * (input_dim * num_hidden + num_hidden * num_hidden + num_hidden) + num_hidden * num_classes + num_classes


class _Sequence(nn.Module):
    """The shared shape of the three sequence classifiers (section 4)."""
    CELL = nn.RNN

    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnn = self.CELL(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        weight = self.fc.weight
        return weight.new_zeros(1, batch_size, self.hidden_size)

    def forward(self, x):
        out, _ = self.rnn(x, self.init_hidden(x.shape[0]))
        return self.fc(out[:, -1])


class myRNN(_Sequence):
    """sequence_models section 4, grade_id `seq_rnn`: nn.RNN (tanh) and a linear layer on the last step."""
    CELL = nn.RNN


class myGatedRNN(_Sequence):
    """sequence_models section 4, grade_id `seq_gru`: nn.GRU and a linear layer on the last step."""
    CELL = nn.GRU


class myLSTM(_Sequence):
    """sequence_models section 4, grade_id `seq_lstm`: nn.LSTM; init_hidden returns (h0, c0)."""
    CELL = nn.LSTM

    def init_hidden(self, batch_size):
        h0 = self.fc.weight.new_zeros(1, batch_size, self.hidden_size)
        return h0, h0.clone()


def batch_error(outputs, labels):
    """sequence_models section 3, grade_id `batch_error`: the fraction of the batch misclassified
    (outputs logits (B, K), labels (B,); ties go to the first maximum, as argmax)."""
    return float((outputs.argmax(dim=1) != labels).float().mean().item())


def train(model, loss_fn, epochs, loader, lr=1e-3):
    """sequence_models section 3, grade_id `train_loop`: Adam over the model's own parameters on
    the model's device, model.train(); returns the mean loss over each epoch's batches."""
    device = next(model.parameters()).device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(epochs):
        total, batches = 0.0, 0
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        losses.append(total / batches)
    return losses


def make_optimizers(rnn, lstm, lr):
    """sequence_models section 5, grade_id `make_optimizers`: plain SGD, each over its own model."""
    return torch.optim.SGD(rnn.parameters(), lr=lr), torch.optim.SGD(lstm.parameters(), lr=lr)


# ---------------------------------------------------------------------------------------------
# sequence_exercises.ipynb
# ---------------------------------------------------------------------------------------------

def step(a):
    """The unit step: 1 where a > 0, else 0."""
    return (np.asarray(a) > 0).astype(np.float64)


XOR_WEIGHTS = {"W1": np.array([[1.0, 1.0], [1.0, 1.0]]), "b1": np.array([-0.5, -1.5]),
               "w2": np.array([1.0, -1.0]), "b2": -0.5}
S1 = 0
"""sequence_exercises section 1, grade_id `xor_network`: h = step([x, s] W1 + b1) holds (x OR s,
x AND s); y = step(h w2 + b2) = OR and not AND = x XOR s. With s[1] = 0, y[1] = x[1]."""


def run_xor_network(weights, s1, xs):
    """The network run recurrently over a binary sequence xs: s[t] = y[t-1], s[1] = s1."""
    s, ys = s1, []
    for x in xs:
        h = step(np.array([x, s], dtype=np.float64) @ np.asarray(weights["W1"], dtype=np.float64)
                 + np.asarray(weights["b1"], dtype=np.float64))
        y = float(step(h @ np.asarray(weights["w2"], dtype=np.float64) + float(np.asarray(weights["b2"]))))
        ys.append(y)
        s = y
    return ys


def sigmoid_grad_approx(eps):
    """sequence_exercises section 2, grade_id `activation_ratio`: sigma(e) ~ 1/2 + e/4, so
    sigma'(e) = sigma (1 - sigma) ~ 1/4 - e^2/16."""
    eps = np.asarray(eps, dtype=np.float64)
    return 0.25 - eps ** 2 / 16.0


def tanh_grad_approx(eps):
    """tanh(e) ~ e, so tanh'(e) = 1 - tanh^2 ~ 1 - e^2."""
    eps = np.asarray(eps, dtype=np.float64)
    return 1.0 - eps ** 2


def rho_approx(eps):
    """The approximate ratio sigma'(e) / tanh'(e)."""
    return sigmoid_grad_approx(eps) / tanh_grad_approx(eps)


def rho(eps):
    """The true ratio sigma'(e) / tanh'(e)."""
    eps = np.asarray(eps, dtype=np.float64)
    s = 1.0 / (1.0 + np.exp(-eps))
    return s * (1.0 - s) / (1.0 - np.tanh(eps) ** 2)


# 1/4 - e^2/16 <= 1 - e^2  <=>  e^2 <= 4/5: within |e| < 1 the interval [-2/sqrt(5), 2/sqrt(5)]
INTERVAL = (-2.0 / math.sqrt(5.0), 2.0 / math.sqrt(5.0))
