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
# # Recurrent networks from scratch: backpropagation through time in numpy
#
# A phone in a pocket records its accelerometer (three axes) while its owner walks, jogs,
# climbs stairs, sits or stands. From a window of 150 such readings we want the activity. You
# will write three recurrent networks, a vanilla RNN, an LSTM and a GRU, with their forward
# passes and their gradients by **backpropagation through time** (BPTT) in numpy, a momentum
# update, a confusion matrix and a training loop with a validation split and early stopping;
# then train the three models and compare them.
#
# **Rules.**
# - Write your code only where `# YOUR CODE HERE` stands; keep the function names and
#   signatures: the tests use them. numpy only (no torch, no autograd).
# - Visible tests check shapes and simple properties; hidden tests compare your numbers with a
#   reference on several inputs (batch size 1, one time step, one hidden unit) and check your
#   gradients against finite differences of your own forward pass.
# - Each unit is graded on its own: `train_recurrent` is graded with a correct
#   `momentum_step` and the grader's own model, so a bug elsewhere does not cost you twice.
#
# | part | points |
# | --- | --- |
# | 1. A vanilla RNN and BPTT | 5 |
# | 2. An LSTM and BPTT | 6 |
# | 3. A GRU and BPTT | 6 |
# | 4. Momentum with gradient clipping | 3 |
# | 5. Confusion matrix | 2 |
# | 6. Training with a validation split and early stopping | 6 |
# | 8. Comparison | 4 written |

# %% [markdown]
# ## 0. Setup (given code)
#
# The helpers come from `bptt_helpers.py`, shipped with this notebook (keep it in the same
# folder): `sigmoid`, `softmax` (row-wise), `cross_entropy(probs, Y)` (mean over the rows),
# `accuracy`, `init_params(model, D, H, K, rng)`, `rel_error`, `eval_numerical_gradient` and two
# plotting functions.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import math
import os
import time

import numpy as np
import matplotlib
import matplotlib.pyplot as plt

from bptt_helpers import *

# Under autograde (and when you set COURSE_SHORT_SCHEDULE=1) the training section runs a short
# schedule so that grading takes seconds.
SHORT_SCHEDULE = os.environ.get("COURSE_SHORT_SCHEDULE") == "1"
# `nbgrader validate` shows each failing check by its error line alone (no traceback)
if os.environ.get("NBGRADER_VALIDATING"):
    get_ipython().run_line_magic("xmode", "Minimal")
print("short schedule:", SHORT_SCHEDULE)

# %% [markdown]
# ## Data (given code)
#
# Each sample is a window of $T = 150$ accelerometer readings on $D = 3$ axes; the label is one
# of six activities, one-hot: downstairs, jogging, sitting, standing, upstairs, walking. The
# loader `human_activity.py` comes with this notebook. With the course's file
# `assign3_data3.h5` at `data/human_activity/real/assign3_data3.h5` beside this notebook (or the
# environment variable `HUMAN_ACTIVITY_FILE` naming it) the real recordings are used; otherwise
# a stand-in with the same layout, simulated from a documented model of posture and gait, is
# built in `data/human_activity/standin/` the first time. The line printed below says which.
# Each axis is standardised with the training set's mean and standard deviation.

# %% nbgrader={"grade": false, "grade_id": "load_data", "locked": true, "schema_version": 3, "solution": false, "task": false}
from human_activity import load_activity

X_train, Y_train, X_test, Y_test, data_kind = load_activity()
axis_mean = X_train.mean(axis=(0, 1))
axis_std = X_train.std(axis=(0, 1))
X_train = (X_train - axis_mean) / axis_std
X_test = (X_test - axis_mean) / axis_std
print(f"{data_kind}: train {X_train.shape}, test {X_test.shape}, classes {ACTIVITIES}")

fig, axes = plt.subplots(2, 3, figsize=(12, 5), sharex=True, sharey=True)
for k, ax in enumerate(axes.ravel()):
    window = X_train[np.argmax(Y_train.argmax(axis=1) == k)]
    ax.plot(window)
    ax.set_title(ACTIVITIES[k])
fig.suptitle("one window per activity (standardised x, y, z)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 1. A vanilla RNN and BPTT (5 points)
#
# For a batch `X` of shape $(N, T, D)$ (`X[:, t]` is step $t$, of shape $(N, D)$) and
# parameters `Wx` $(D, H)$, `Wh` $(H, H)$, `b` $(H,)$, `Wy` $(H, K)$, `by` $(K,)$:
#
# $$h_0 = 0, \qquad h_t = \tanh(x_t W_x + h_{t-1} W_h + b) \quad (t = 1..T), \qquad
#   p = \mathrm{softmax}(h_T W_y + b_y).$$
#
# The model is *many-to-one*: only the last hidden state is read. The loss of a batch with
# one-hot labels `Y` $(N, K)$ is the mean cross-entropy
# $L = -\frac{1}{N} \sum_n \log p_{n, y_n}$ (the given `cross_entropy(probs, Y)`).
#
# Write `rnn_forward(X, params) -> (probs, cache)` with `probs` of shape $(N, K)$ and a cache of
# your choice, and `rnn_backward(Y, cache) -> grads`, a dict with the keys and shapes of
# `params`. **Backpropagate through all $T$ steps**: with $z = h_T W_y + b_y$,
# $\partial L / \partial z = (p - Y) / N$, and going back from $t = T$ to $1$,
# $\delta_t = \frac{\partial L}{\partial h_t} \odot (1 - h_t^2)$,
# $\frac{\partial L}{\partial h_{t-1}} = \delta_t W_h^\top$, and every step adds to
# $\partial L/\partial W_x$, $\partial L/\partial W_h$, $\partial L/\partial b$.
# Return the gradients **unclipped** (clipping belongs to the update, section 4), and do not
# modify `X` or `params`.

# %% nbgrader={"grade": false, "grade_id": "rnn_bptt", "locked": false, "schema_version": 3, "solution": true, "task": false}
def rnn_forward(X, params):
    """X: (N, T, D); params: Wx (D, H), Wh (H, H), b (H,), Wy (H, K), by (K,).
    Returns probs of shape (N, K) and a cache for rnn_backward."""
    ### BEGIN SOLUTION
    N, T, _ = X.shape
    states = [np.zeros((N, params["Wh"].shape[0]))]
    for t in range(T):
        states.append(np.tanh(X[:, t] @ params["Wx"] + states[-1] @ params["Wh"] + params["b"]))
    probs = softmax(states[-1] @ params["Wy"] + params["by"])
    return probs, {"X": X, "params": params, "states": states, "probs": probs}
    ### END SOLUTION


def rnn_backward(Y, cache):
    """Y: one-hot (N, K). Returns the gradients of the mean cross-entropy (a dict like params)."""
    ### BEGIN SOLUTION
    X, params, states, probs = cache["X"], cache["params"], cache["states"], cache["probs"]
    dz = (probs - Y) / len(Y)
    grads = {"Wy": states[-1].T @ dz, "by": dz.sum(axis=0)}
    grads.update({k: np.zeros_like(params[k]) for k in ("Wx", "Wh", "b")})
    dh = dz @ params["Wy"].T
    for t in range(X.shape[1] - 1, -1, -1):
        delta = dh * (1.0 - states[t + 1] ** 2)
        grads["Wx"] += X[:, t].T @ delta
        grads["Wh"] += states[t].T @ delta
        grads["b"] += delta.sum(axis=0)
        dh = delta @ params["Wh"].T
    return grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rnn_bptt_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: shapes; every row of probs sums to 1.
rng_test = np.random.default_rng(0)
params_test = init_params("rnn", 3, 5, 4, rng_test)
probs_small, _ = rnn_forward(rng_test.standard_normal((6, 7, 3)), params_test)
assert np.shape(probs_small) == (6, 4), f"probs must have shape (N, K) = (6, 4), got {np.shape(probs_small)}"
assert np.allclose(np.sum(probs_small, axis=1), 1), "every row of probs must sum to 1"
print("rnn_forward: shapes OK")

# Hidden test: RNN probabilities against the reference on several shapes (N = 1, T = 1, H = 1, D = 1).
### BEGIN HIDDEN TESTS
from grader_tests.bptt_from_scratch import check
check("rnn_bptt", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_rnn_bptt_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Visible test: your gradients against finite differences of your forward pass on a tiny case.
errors = gradient_check(rnn_forward, rnn_backward, "rnn")
print({k: f"{v:.1e}" for k, v in errors.items()})
assert max(errors.values()) < 1e-6, "a gradient disagrees with finite differences"

# Hidden test: every RNN gradient against the reference and against finite differences of your own forward pass, through all T steps, unclipped.
### BEGIN HIDDEN TESTS
from grader_tests.bptt_from_scratch import check
check("rnn_bptt", "backward")
### END HIDDEN TESTS

# %% [markdown]
# ## 2. An LSTM and BPTT (6 points)
#
# Parameters: `Wf`, `Wi`, `Wc`, `Wo`, each of shape $(D + H, H)$, acting on the concatenation
# $z_t = [x_t, h_{t-1}]$ of shape $(N, D + H)$ (**x first**), biases `bf`, `bi`, `bc`, `bo`
# $(H,)$, and the output layer `Wy`, `by` as before. From $h_0 = c_0 = 0$:
#
# $$f_t = \sigma(z_t W_f + b_f), \quad i_t = \sigma(z_t W_i + b_i), \quad
#   \tilde c_t = \tanh(z_t W_c + b_c), \quad o_t = \sigma(z_t W_o + b_o),$$
# $$c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t, \qquad h_t = o_t \odot \tanh(c_t), \qquad
#   p = \mathrm{softmax}(h_T W_y + b_y).$$
#
# Write `lstm_forward(X, params)` and `lstm_backward(Y, cache)` with the same conventions as
# section 1. Going back one step, both $h$ and $c$ carry gradient: $\partial L/\partial c_{t-1}$
# gets $\partial L/\partial c_t \odot f_t$, and $\partial L/\partial h_{t-1}$ is the last $H$
# columns of $\partial L/\partial z_t$. With $s = \sigma(a)$, $\sigma'(a) = s (1 - s)$; with
# $u = \tanh(a)$, $\tanh'(a) = 1 - u^2$.

# %% nbgrader={"grade": false, "grade_id": "lstm_bptt", "locked": false, "schema_version": 3, "solution": true, "task": false}
def lstm_forward(X, params):
    """X: (N, T, D); params: Wf, Wi, Wc, Wo (D + H, H), bf, bi, bc, bo (H,), Wy (H, K), by (K,)."""
    ### BEGIN SOLUTION
    N, T, D = X.shape
    H = params["bf"].shape[0]
    W = np.concatenate([params[k] for k in ("Wf", "Wi", "Wc", "Wo")], axis=1)    # (D + H, 4H)
    b = np.concatenate([params[k] for k in ("bf", "bi", "bc", "bo")])
    h, c = np.zeros((N, H)), np.zeros((N, H))
    steps = []
    for t in range(T):
        z = np.hstack([X[:, t], h])
        a = z @ W + b
        f, i, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
        g = np.tanh(a[:, 2 * H:3 * H])
        c_prev = c
        c = f * c_prev + i * g
        h = o * np.tanh(c)
        steps.append((z, f, i, g, o, c_prev, c))
    probs = softmax(h @ params["Wy"] + params["by"])
    return probs, {"params": params, "W": W, "D": D, "steps": steps, "h": h, "probs": probs}
    ### END SOLUTION


def lstm_backward(Y, cache):
    """Gradients of the mean cross-entropy, a dict like params."""
    ### BEGIN SOLUTION
    params, W, D, steps = cache["params"], cache["W"], cache["D"], cache["steps"]
    H = params["bf"].shape[0]
    dz_out = (cache["probs"] - Y) / len(Y)
    grads = {"Wy": cache["h"].T @ dz_out, "by": dz_out.sum(axis=0)}
    dW, db = np.zeros_like(W), np.zeros(4 * H)
    dh, dc = dz_out @ params["Wy"].T, np.zeros((len(Y), H))
    for z, f, i, g, o, c_prev, c in reversed(steps):
        tc = np.tanh(c)
        dc = dc + dh * o * (1.0 - tc ** 2)
        da = np.hstack([dc * c_prev * f * (1 - f), dc * g * i * (1 - i), dc * i * (1 - g ** 2),
                        dh * tc * o * (1 - o)])
        dW += z.T @ da
        db += da.sum(axis=0)
        dh = (da @ W.T)[:, D:]
        dc = dc * f
    for k, name in enumerate("fico"):
        grads[f"W{name}"] = dW[:, k * H:(k + 1) * H]
        grads[f"b{name}"] = db[k * H:(k + 1) * H]
    return grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_lstm_bptt_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: shapes; every row of probs sums to 1.
rng_test = np.random.default_rng(0)
params_test = init_params("lstm", 3, 5, 4, rng_test)
probs_small, _ = lstm_forward(rng_test.standard_normal((6, 7, 3)), params_test)
assert np.shape(probs_small) == (6, 4), f"probs must have shape (N, K) = (6, 4), got {np.shape(probs_small)}"
assert np.allclose(np.sum(probs_small, axis=1), 1), "every row of probs must sum to 1"
print("lstm_forward: shapes OK")

# Hidden test: LSTM probabilities against the reference on several shapes (N = 1, T = 1, H = 1, D = 1).
### BEGIN HIDDEN TESTS
from grader_tests.bptt_from_scratch import check
check("lstm_bptt", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_lstm_bptt_backward", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false}
# Visible test: your gradients against finite differences of your forward pass on a tiny case.
errors = gradient_check(lstm_forward, lstm_backward, "lstm")
print({k: f"{v:.1e}" for k, v in errors.items()})
assert max(errors.values()) < 1e-6, "a gradient disagrees with finite differences"

# Hidden test: every LSTM gradient against the reference and against finite differences of your own forward pass, through all T steps, unclipped.
### BEGIN HIDDEN TESTS
from grader_tests.bptt_from_scratch import check
check("lstm_bptt", "backward")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. A GRU and BPTT (6 points)
#
# Parameters: `Wz`, `Wr`, `Wn` $(D, H)$, `Uz`, `Ur`, `Un` $(H, H)$, `bz`, `br`, `bn` $(H,)$, and
# `Wy`, `by`. From $h_0 = 0$, with the update gate $z$ and the reset gate $r$:
#
# $$z_t = \sigma(x_t W_z + h_{t-1} U_z + b_z), \qquad r_t = \sigma(x_t W_r + h_{t-1} U_r + b_r),$$
# $$\tilde h_t = \tanh\big(x_t W_n + r_t \odot (h_{t-1} U_n) + b_n\big), \qquad
#   h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t.$$
#
# The reset gate multiplies the *product* $h_{t-1} U_n$, and $z_t$ weighs the *old* state.
# Write `gru_forward(X, params)` and `gru_backward(Y, cache)` as before; $h_{t-1}$ reaches
# $h_t$ through four paths ($z \odot h_{t-1}$, and through $z_t$, $r_t$ and $\tilde h_t$).

# %% nbgrader={"grade": false, "grade_id": "gru_bptt", "locked": false, "schema_version": 3, "solution": true, "task": false}
def gru_forward(X, params):
    """X: (N, T, D); params: Wz, Wr, Wn (D, H), Uz, Ur, Un (H, H), bz, br, bn (H,), Wy, by."""
    ### BEGIN SOLUTION
    N, T, _ = X.shape
    h = np.zeros((N, params["Uz"].shape[0]))
    steps = []
    for t in range(T):
        x = X[:, t]
        z = sigmoid(x @ params["Wz"] + h @ params["Uz"] + params["bz"])
        r = sigmoid(x @ params["Wr"] + h @ params["Ur"] + params["br"])
        hu = h @ params["Un"]
        n = np.tanh(x @ params["Wn"] + r * hu + params["bn"])
        steps.append((x, h, z, r, hu, n))
        h = z * h + (1 - z) * n
    probs = softmax(h @ params["Wy"] + params["by"])
    return probs, (params, steps, h, probs)
    ### END SOLUTION


def gru_backward(Y, cache):
    """Gradients of the mean cross-entropy, a dict like params."""
    ### BEGIN SOLUTION
    params, steps, h_last, probs = cache
    dz_out = (probs - Y) / len(Y)
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    grads["Wy"], grads["by"] = h_last.T @ dz_out, dz_out.sum(axis=0)
    dh = dz_out @ params["Wy"].T
    for x, h, z, r, hu, n in reversed(steps):
        da_n = dh * (1 - z) * (1 - n ** 2)
        da_z = dh * (h - n) * z * (1 - z)
        da_r = da_n * hu * r * (1 - r)
        for gate, da in (("z", da_z), ("r", da_r), ("n", da_n)):
            grads["W" + gate] += x.T @ da
            grads["b" + gate] += da.sum(axis=0)
        grads["Uz"] += h.T @ da_z
        grads["Ur"] += h.T @ da_r
        grads["Un"] += h.T @ (da_n * r)
        dh = dh * z + da_z @ params["Uz"].T + da_r @ params["Ur"].T + (da_n * r) @ params["Un"].T
    return grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_gru_bptt_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: shapes; every row of probs sums to 1.
rng_test = np.random.default_rng(0)
params_test = init_params("gru", 3, 5, 4, rng_test)
probs_small, _ = gru_forward(rng_test.standard_normal((6, 7, 3)), params_test)
assert np.shape(probs_small) == (6, 4), f"probs must have shape (N, K) = (6, 4), got {np.shape(probs_small)}"
assert np.allclose(np.sum(probs_small, axis=1), 1), "every row of probs must sum to 1"
print("gru_forward: shapes OK")

# Hidden test: GRU probabilities against the reference on several shapes (N = 1, T = 1, H = 1, D = 1).
### BEGIN HIDDEN TESTS
from grader_tests.bptt_from_scratch import check
check("gru_bptt", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_gru_bptt_backward", "locked": true, "points": 4, "schema_version": 3, "solution": false, "task": false}
# Visible test: your gradients against finite differences of your forward pass on a tiny case.
errors = gradient_check(gru_forward, gru_backward, "gru")
print({k: f"{v:.1e}" for k, v in errors.items()})
assert max(errors.values()) < 1e-6, "a gradient disagrees with finite differences"

# Hidden test: every GRU gradient against the reference and against finite differences of your own forward pass, through all T steps, unclipped.
### BEGIN HIDDEN TESTS
from grader_tests.bptt_from_scratch import check
check("gru_bptt", "backward")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Momentum with gradient clipping (3 points)
#
# Recurrent networks occasionally produce very large gradients (exploding gradients);
# clipping each gradient element keeps one bad batch from throwing the weights far away.
# Write `momentum_step(params, grads, velocity, lr, momentum, clip=10.0) -> (params, velocity)`
# which, for every key, clips the gradient elementwise to $[-\text{clip}, \text{clip}]$, then
#
# $$v \leftarrow \mu\, v - \eta\, g, \qquad \theta \leftarrow \theta + v$$
#
# ($\eta$ = `lr`, $\mu$ = `momentum`). `velocity` is a dict like `params`, or `None` for the
# first step (zeros). Return **new** dicts and leave the inputs unchanged.

# %% nbgrader={"grade": false, "grade_id": "momentum_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    """One SGD-with-momentum update of every array in params; returns (params, velocity)."""
    ### BEGIN SOLUTION
    new_velocity = {}
    for key, g in grads.items():
        previous = 0.0 if velocity is None else velocity[key]
        new_velocity[key] = momentum * previous - lr * np.clip(g, -clip, clip)
    return {key: params[key] + new_velocity[key] for key in params}, new_velocity
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_momentum_step_values", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: one step from velocity None, with one clipped element.
p1, v1 = momentum_step({"w": np.array([1.0, 2.0])}, {"w": np.array([0.5, 40.0])}, None, 0.1, 0.9)
assert np.allclose(v1["w"], [-0.05, -1.0]), f"velocity after one step: expected [-0.05, -1.0], got {v1['w']}"
assert np.allclose(p1["w"], [0.95, 1.0]), f"params after one step: expected [0.95, 1.0], got {p1['w']}"
print("momentum_step: first step OK")

# Hidden test: new parameters and velocity against the reference (velocity None, clipping active, momentum 0).
### BEGIN HIDDEN TESTS
from grader_tests.bptt_from_scratch import check
check("momentum_step", "values")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_momentum_step_pure", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: the inputs are left unchanged.
before = {"w": np.array([1.0, 2.0])}
momentum_step(before, {"w": np.array([1.0, 1.0])}, {"w": np.array([0.5, 0.5])}, 0.1, 0.9)
assert np.array_equal(before["w"], [1.0, 2.0]), "momentum_step must not modify params"
print("momentum_step: inputs unchanged")

# Hidden test: the inputs are left unchanged and new dicts are returned.
### BEGIN HIDDEN TESTS
from grader_tests.bptt_from_scratch import check
check("momentum_step", "pure")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Confusion matrix (2 points)
#
# Write `confusion_matrix(y_true, y_pred, num_classes)` for 1-D integer label arrays (values
# $0..K-1$) returning a $(K, K)$ **integer** array whose entry $[a, p]$ counts the samples of
# actual class $a$ predicted as class $p$ (rows actual, columns predicted). Classes that never
# occur still get their row and column.

# %% nbgrader={"grade": false, "grade_id": "confusion_matrix", "locked": false, "schema_version": 3, "solution": true, "task": false}
def confusion_matrix(y_true, y_pred, num_classes):
    """(K, K) counts, rows actual class, columns predicted class."""
    ### BEGIN SOLUTION
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    for actual, predicted in zip(y_true, y_pred):
        matrix[actual, predicted] += 1
    return matrix
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_confusion_matrix_values", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: a small example.
m = confusion_matrix(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 4)
assert np.shape(m) == (4, 4), "the matrix is num_classes x num_classes"
assert m[0, 1] == 1 and m[2, 0] == 1 and m[2, 2] == 2 and m.sum() == 6, "rows actual, columns predicted"
print(m)

# Hidden test: counts, orientation (rows actual) and dtype on several label sets, absent classes included.
### BEGIN HIDDEN TESTS
from grader_tests.bptt_from_scratch import check
check("confusion_matrix", "values")
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Training with a validation split and early stopping (6 points)
#
# Write `train_recurrent(forward, backward, params, X, Y, lr, momentum, batch_size, max_epochs,
# rng, val_fraction=0.1, patience=3) -> (params, history)` for any of your three models
# (`forward`, `backward` are e.g. `rnn_forward`, `rnn_backward`):
#
# 1. Hold out `int(val_fraction * N)` samples, chosen with `rng` (e.g. the first ones of
#    `rng.permutation(N)`), for validation; train on all the others, never on these.
# 2. Each epoch: a fresh random order of the training samples from `rng`, cut into mini-batches
#    of `batch_size` (the last one may be smaller; every training sample is used once per
#    epoch). For each batch: `forward`, `backward`, then
#    `params, velocity = momentum_step(params, grads, velocity, lr, momentum)`, the velocity
#    starting at `None` and kept across batches and epochs.
# 3. After each epoch append to `history['train_loss']` the mean cross-entropy of the epoch's
#    batches (from their forward passes), to `history['val_loss']` and `history['val_acc']` the
#    validation cross-entropy and accuracy (a fraction in $[0, 1]$) of the current parameters.
# 4. Stop when the validation loss has not improved (strictly decreased below its best so far)
#    for `patience` epochs in a row, or after `max_epochs`. Return the parameters of the epoch
#    with the lowest validation loss, and `history`.
#
# Use only `rng` for randomness (the same seed gives the same run).

# %% nbgrader={"grade": false, "grade_id": "train_recurrent", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_recurrent(forward, backward, params, X, Y, lr, momentum, batch_size, max_epochs, rng,
                    val_fraction=0.1, patience=3):
    """Mini-batch training with momentum and early stopping; returns (best params, history)."""
    ### BEGIN SOLUTION
    n_val = int(val_fraction * len(X))
    shuffled = rng.permutation(len(X))
    val_idx, train_idx = shuffled[:n_val], shuffled[n_val:]
    history = {"train_loss": [], "val_loss": [], "val_acc": []}
    velocity, best_params, best_loss, bad_epochs = None, params, np.inf, 0
    for epoch in range(max_epochs):
        order = train_idx[rng.permutation(len(train_idx))]
        batch_losses = []
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            probs, cache = forward(X[batch], params)
            batch_losses.append(cross_entropy(probs, Y[batch]))
            params, velocity = momentum_step(params, backward(Y[batch], cache), velocity, lr, momentum)
        val_probs, _ = forward(X[val_idx], params)
        history["train_loss"].append(float(np.mean(batch_losses)))
        history["val_loss"].append(cross_entropy(val_probs, Y[val_idx]))
        history["val_acc"].append(accuracy(val_probs, Y[val_idx]))
        if history["val_loss"][-1] < best_loss:
            best_params, best_loss, bad_epochs = params, history["val_loss"][-1], 0
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                break
    return best_params, history
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train_recurrent_updates", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Visible test: a tiny run (a softmax layer on the last step) returns the parameters' keys and
# one history entry per epoch.
def toy_forward(X, params):
    probs = softmax(X[:, -1] @ params["W"] + params["b"])
    return probs, (X[:, -1], probs)


def toy_backward(Y, cache):
    x, probs = cache
    dz = (probs - Y) / len(Y)
    return {"W": x.T @ dz, "b": dz.sum(axis=0)}


rng_toy = np.random.default_rng(5)
X_toy = rng_toy.standard_normal((40, 5, 3))
Y_toy = np.eye(3)[rng_toy.integers(0, 3, 40)]
toy_params = {"W": np.zeros((3, 3)), "b": np.zeros(3)}
params_toy, history_toy = train_recurrent(toy_forward, toy_backward, toy_params, X_toy, Y_toy, 0.1, 0.8, 8, 3,
                                          np.random.default_rng(0))
assert set(params_toy) == {"W", "b"}, "return the parameters dict"
assert set(history_toy) >= {"train_loss", "val_loss", "val_acc"}, "history needs train_loss, val_loss, val_acc"
assert 1 <= len(history_toy["val_loss"]) <= 3 and len(history_toy["train_loss"]) == len(history_toy["val_loss"])
print({k: np.round(v, 4) for k, v in history_toy.items()})

# Hidden test: the validation split, the mini-batches of every epoch and the momentum updates, replayed on a reference model.
### BEGIN HIDDEN TESTS
from grader_tests.bptt_from_scratch import check
check("train_recurrent", "updates")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_recurrent_stopping", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: a model that never improves (uniform probabilities, zero gradients) stops after
# 1 + patience epochs; every validation accuracy is a fraction.
rng_toy = np.random.default_rng(5)
X_toy = rng_toy.standard_normal((40, 5, 3))
Y_toy = np.eye(3)[rng_toy.integers(0, 3, 40)]
_, history_toy = train_recurrent(lambda X, p: (np.full((len(X), 3), 1 / 3), None),
                                 lambda Y, cache: {"W": np.zeros(3)},
                                 {"W": np.zeros(3)}, X_toy, Y_toy, 0.5, 0.0, 8, 10,
                                 np.random.default_rng(0), patience=1)
assert len(history_toy["val_loss"]) == 2, f"expected to stop after 2 epochs, ran {len(history_toy['val_loss'])}"
assert all(0 <= a <= 1 for a in history_toy["val_acc"]), "val_acc holds fractions in [0, 1]"
print("train_recurrent: early stopping OK")

# Hidden test: early stopping after `patience` epochs without improvement, the best epoch"s parameters returned, the history.
### BEGIN HIDDEN TESTS
from grader_tests.bptt_from_scratch import check
check("train_recurrent", "stopping")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_recurrent_rng", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: the same seed gives the same run.
def run_toy(seed):
    rng_toy = np.random.default_rng(5)
    X_toy = rng_toy.standard_normal((40, 5, 3))
    Y_toy = np.eye(3)[rng_toy.integers(0, 3, 40)]
    def forward(X, params):
        probs = softmax(X[:, -1] @ params["W"])
        return probs, (X[:, -1], probs)
    def backward(Y, cache):
        return {"W": cache[0].T @ (cache[1] - Y) / len(Y)}
    return train_recurrent(forward, backward, {"W": np.zeros((3, 3))}, X_toy, Y_toy, 0.5, 0.8, 8, 3,
                           np.random.default_rng(seed))


(first, _), (second, _) = run_toy(0), run_toy(0)
assert np.array_equal(first["W"], second["W"]), "same seed, same result"
print("train_recurrent: deterministic")

# Hidden test: split and shuffles drawn from rng: the same seed gives the same run whatever numpy"s global state, another seed another split.
### BEGIN HIDDEN TESTS
from grader_tests.bptt_from_scratch import check
check("train_recurrent", "rng")
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Training the three models (given code)
#
# Each model is trained with your `train_recurrent` (batches of 32, learning rate 0.1,
# momentum 0.85, early stopping on the validation loss), then evaluated on the test set. The full
# schedule (64 hidden units, all 3000 training windows, up to 30 epochs) takes a while in numpy:
# several minutes per model. Under autograde, or with `COURSE_SHORT_SCHEDULE=1`, a short
# schedule runs instead (24 hidden units, half of the windows, 6 epochs: about 10 s).

# %% nbgrader={"grade": false, "grade_id": "train_models", "locked": true, "schema_version": 3, "solution": false, "task": false}
if SHORT_SCHEDULE:
    schedule = dict(hidden=24, n_train=600, max_epochs=4, patience=2)
else:
    schedule = dict(hidden=64, n_train=len(X_train), max_epochs=30, patience=4)
print("schedule:", schedule)
models = {"RNN": ("rnn", rnn_forward, rnn_backward), "LSTM": ("lstm", lstm_forward, lstm_backward),
          "GRU": ("gru", gru_forward, gru_backward)}
trained, histories, test_results = {}, {}, {}
subset = np.random.default_rng(0).permutation(len(X_train))[:schedule["n_train"]]
for name, (kind, forward, backward) in models.items():
    start = time.perf_counter()
    rng_model = np.random.default_rng(1)
    params0 = init_params(kind, X_train.shape[2], schedule["hidden"], Y_train.shape[1], rng_model)
    trained[name], histories[name] = train_recurrent(
        forward, backward, params0, X_train[subset], Y_train[subset], lr=0.1, momentum=0.85,
        batch_size=32, max_epochs=schedule["max_epochs"], rng=rng_model, patience=schedule["patience"])
    probs_test, _ = forward(X_test, trained[name])
    test_results[name] = (accuracy(probs_test, Y_test), probs_test.argmax(axis=1))
    print(f"{name}: {len(histories[name]['val_loss'])} epochs in {time.perf_counter() - start:.1f} s, "
          f"test accuracy {test_results[name][0]:.3f}")
plot_histories(histories)

# %% nbgrader={"grade": false, "grade_id": "confusion_matrices", "locked": true, "schema_version": 3, "solution": false, "task": false}
for name, (acc, predicted) in test_results.items():
    plot_confusion(confusion_matrix(Y_test.argmax(axis=1), predicted, len(ACTIVITIES)), ACTIVITIES,
                   f"{name}: test accuracy {acc:.2f}")

# %% [markdown]
# ## 8. Comparison (4 points, written)
#
# Compare the three models on the test set: their accuracies and their confusion matrices.
# Which activities does each model confuse, and why would it (think of what distinguishes
# sitting from standing, and walking from going up or down stairs, in these signals)? Why do
# the models differ, given what each one can remember over 150 steps? Refer to your figures
# (and say which schedule you ran).

# %% [markdown] nbgrader={"grade": true, "grade_id": "comparison_discussion", "locked": false, "points": 4, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** The gated models are clearly better than the vanilla RNN (on the course's
# stand-in, short schedule: RNN about 0.4, LSTM about 0.7, GRU about 0.9 test accuracy; after a
# few epochs of the full schedule the LSTM and GRU exceed 0.9 while the RNN stays near 0.3-0.4,
# its training loss even rising again as its gradients explode at lr 0.1). The postures (sitting, standing) are recognised by all three: the
# direction of gravity in the signal is visible at every step, including the last. The
# confusions are among the moving activities: walking, upstairs and downstairs share the gait
# rhythm and differ only in subtler, slower features (the vertical component and the
# asymmetry of the steps), and jogging is separated by its faster, stronger rhythm. The vanilla
# RNN reads the class from h_T, and its gradients through 150 tanh steps vanish after a few
# dozen steps, so it effectively sees only the end of the window: it confuses the gait classes
# (often predicting one or two of them for all). The LSTM's additive cell state (and the
# GRU's interpolated state) keeps information and gradients over many steps, so they can
# accumulate evidence over the whole window. *TA note: accept the student's own numbers and
# confusions when the explanation matches their figures.*
#
# **Rubric (4 points).** 1 pt: accuracies of the three models reported from their run and
# ranked. 1 pt: which classes each confuses, read from the confusion matrices (rows actual,
# columns predicted). 1 pt: why those classes are confusable in the signals (posture/gravity
# vs gait rhythm, stairs vs walking). 1 pt: why the models differ: vanishing gradients and short
# memory of the vanilla RNN over 150 steps vs the gating of LSTM/GRU; "the LSTM is more complex"
# alone earns no point.
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

selfcheck.check("bptt_from_scratch.ipynb")
