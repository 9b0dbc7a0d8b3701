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
# # A sparse autoencoder for natural-image patches (numpy)
#
# An autoencoder learns to reproduce its input through a hidden layer. With few active hidden
# units per input (sparsity) and small weights, the hidden units of an autoencoder trained on
# natural-image patches become localised, oriented edge detectors, much like the receptive
# fields of simple cells in the visual cortex. You will preprocess the patches, write the cost
# function of a sparse autoencoder with its gradients (backpropagation by hand, in numpy),
# train it with mini-batch gradient descent, look at what the hidden units learned and how the
# hidden-layer size and the weight decay change it.
#
# **Rules.**
# - Write your code only where `# YOUR CODE HERE` stands; keep the function names and
#   signatures: the tests use them. numpy only (no autograd).
# - Visible tests check shapes and simple properties; hidden tests compare your numbers with a
#   reference on several inputs (batch size 1, one hidden unit, with and without each term).
# - Each function is graded on its own: `train_autoencoder` is graded with correct
#   `init_weights` and `ae_cost`, so a bug in your cost does not cost you twice.
#
# | part | points |
# | --- | --- |
# | 1. Preprocessing | 4 |
# | 2. Weight initialisation | 3 |
# | 3. Cost and gradients | 8 |
# | 4. Training | 5 |
# | 6. Hidden-layer size and weight decay (given code, then a written answer) | 4 written |

# %% [markdown]
# ## 0. Setup (given code)

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import math
import os
import time

import h5py
import numpy as np
import matplotlib
import matplotlib.pyplot as plt

# Under autograde (and when you set COURSE_SHORT_SCHEDULE=1) the training sections run a
# short schedule so that grading takes seconds.
SHORT_SCHEDULE = os.environ.get("COURSE_SHORT_SCHEDULE") == "1"
# `nbgrader validate` shows each failing check by its error line alone (no traceback)
if os.environ.get("NBGRADER_VALIDATING"):
    get_ipython().run_line_magic("xmode", "Minimal")


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), written with tanh so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))




def show_grid(images, columns, title=None, scale_each=True):
    """Tile equally sized 2-D images (or RGB images, H x W x 3) into one figure."""
    images = np.asarray(images, dtype=np.float64)
    n, h, w = images.shape[:3]
    rows = -(-n // columns)
    canvas = np.ones((rows * (h + 1) + 1, columns * (w + 1) + 1) + images.shape[3:])
    for k, image in enumerate(images):
        if scale_each:
            low, high = image.min(), image.max()
            image = (image - low) / (high - low) if high > low else np.full_like(image, 0.5)
        r, c = divmod(k, columns)
        canvas[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + c * (w + 1):1 + c * (w + 1) + w] = image
    plt.figure(figsize=(columns * 0.45 + 1, rows * 0.45 + 0.8))
    plt.imshow(canvas, cmap="gray", interpolation="nearest")
    plt.axis("off")
    if title:
        plt.title(title)
    plt.show()


print("short schedule:", SHORT_SCHEDULE)

# %% [markdown]
# ## Data (given code)
#
# The data are RGB patches of $16 \times 16$ pixels cut from natural photographs, values in
# $[0, 1]$, stored in an HDF5 file as a dataset `data` of shape $(N, 3, 16, 16)$ (channels R,
# G, B on axis 1). The loader, `natural_patches.py`, comes with this notebook: keep it in the
# same folder. With the course's file `assign3_data1.h5` at
# `data/natural_patches/real/assign3_data1.h5` beside this notebook (or the environment variable
# `NATURAL_PATCHES_FILE` naming it) the real patches are used; otherwise a stand-in with the same
# layout, cut from two photographs that scikit-learn ships, is built in
# `data/natural_patches/standin/` the first time (a second or two). The line printed below says
# which.

# %% nbgrader={"grade": false, "grade_id": "load_data", "locked": true, "schema_version": 3, "solution": false, "task": false}
from natural_patches import load_patches

patches, data_kind = load_patches()
rng_show = np.random.default_rng(0)
shown = rng_show.choice(len(patches), size=100, replace=False)
show_grid(patches[shown].transpose(0, 2, 3, 1), columns=20, title=f"100 random patches ({data_kind})",
          scale_each=False)


# %% [markdown]
# ## 1. Preprocessing (4 points)
#
# Write `preprocess(data)` mapping a batch `data` of shape $(N, 3, 16, 16)$ to an array of
# shape $(N, 16, 16)$ (float64), in this order:
#
# 1. **Luminosity**: $Y = 0.2126\,R + 0.7152\,G + 0.0722\,B$ per pixel (R, G, B are
#    `data[:, 0]`, `data[:, 1]`, `data[:, 2]`).
# 2. **Remove each image's mean**: subtract from every image the mean of its own $16 \times 16$
#    pixels.
# 3. **Clip**: let $\sigma$ be the standard deviation (numpy's default, `ddof=0`) of *all*
#    mean-subtracted pixels of the whole batch (one number). Clip every value to
#    $[-3\sigma, 3\sigma]$.
# 4. **Map** $[-3\sigma, 3\sigma]$ linearly onto $[0.1, 0.9]$ ($-3\sigma \mapsto 0.1$,
#    $0 \mapsto 0.5$, $3\sigma \mapsto 0.9$), which suits the sigmoid output layer.
#
# The result depends on the whole batch through $\sigma$. `preprocess` must **not modify
# its input** (the caller still needs the RGB patches). It must work for $N = 1$.

# %% nbgrader={"grade": false, "grade_id": "preprocess", "locked": false, "schema_version": 3, "solution": true, "task": false}
def preprocess(data):
    """(N, 3, 16, 16) RGB patches in [0, 1] -> (N, 16, 16) float64 in [0.1, 0.9]."""
    ### BEGIN SOLUTION
    data = np.asarray(data, dtype=np.float64)
    gray = np.einsum("c,nchw->nhw", np.array([0.2126, 0.7152, 0.0722]), data)
    gray = gray - gray.mean(axis=(1, 2), keepdims=True)
    limit = 3 * np.std(gray)
    gray = np.clip(gray, -limit, limit)
    return 0.5 + 0.4 * gray / limit
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_preprocess", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: shape, range, and the input is left as it was.
preprocess_ = preprocess
x = np.random.default_rng(1).uniform(0, 1, (5, 3, 16, 16))
x_copy = x.copy()
y = preprocess_(x)
assert y.shape == (5, 16, 16), f"expected shape (5, 16, 16), got {np.shape(y)}"
assert y.min() >= 0.1 - 1e-12 and y.max() <= 0.9 + 1e-12, "values must lie in [0.1, 0.9]"
assert np.array_equal(x, x_copy), "preprocess must not modify its input"
print("preprocess: shape and range OK")

# %% nbgrader={"grade": true, "grade_id": "test_preprocess_values", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden test: the output against the reference on several batches (N = 1, a constant image, clipping active).
### BEGIN HIDDEN TESTS
from grader_tests.sparse_autoencoder import check
check("preprocess", "values")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_preprocess_input", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden test: the input is not modified and the result is deterministic.
### BEGIN HIDDEN TESTS
from grader_tests.sparse_autoencoder import check
check("preprocess", "input")
### END HIDDEN TESTS

# %% [markdown]
# Here are the same 100 patches after preprocessing (each shown on the common scale [0.1, 0.9]).

# %% nbgrader={"grade": false, "grade_id": "show_preprocessed", "locked": true, "schema_version": 3, "solution": false, "task": false}
images = preprocess(patches)
print("preprocessed:", images.shape, images.dtype, f"range [{images.min():.3f}, {images.max():.3f}]")
show_grid(images[shown], columns=20, title="after preprocessing", scale_each=False)


# %% [markdown]
# ## 2. Weight initialisation (3 points)
#
# The autoencoder has $L_{in}$ inputs, $L_{hid}$ hidden units and $L_{out} = L_{in}$ outputs.
# Write `init_weights(L_in, L_hid, rng)` returning a dict with
#
# | key | shape | |
# | --- | --- | --- |
# | `W1` | $(L_{in}, L_{hid})$ | input → hidden weights |
# | `b1` | $(L_{hid},)$ | hidden biases |
# | `W2` | $(L_{hid}, L_{in})$ | hidden → output weights |
# | `b2` | $(L_{in},)$ | output biases |
#
# every entry drawn uniformly from $[-r, r]$ with $r = \sqrt{6 / (L_{pre} + L_{post})}$, where
# $L_{pre}$ and $L_{post}$ are the sizes of the layers that the weights (and biases) connect.
# Draw every number from `rng`, a `numpy.random.Generator` (e.g. `rng.uniform`), so that the
# same seed gives the same weights; do not use or reseed `np.random`'s global state.

# %% nbgrader={"grade": false, "grade_id": "init_weights", "locked": false, "schema_version": 3, "solution": true, "task": false}
def init_weights(L_in, L_hid, rng):
    """Uniform Glorot initialisation; returns {'W1', 'b1', 'W2', 'b2'} drawn from rng."""
    ### BEGIN SOLUTION
    limit = np.sqrt(6.0 / (L_in + L_hid))   # both layers connect L_in and L_hid units
    shapes = {"W1": (L_in, L_hid), "b1": (L_hid,), "W2": (L_hid, L_in), "b2": (L_in,)}
    return {name: rng.uniform(-limit, limit, size=shape) for name, shape in shapes.items()}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_init_weights", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: keys and shapes; the same seed gives the same weights.
init_weights_ = init_weights
We = init_weights_(256, 64, np.random.default_rng(0))
expected = {"W1": (256, 64), "b1": (64,), "W2": (64, 256), "b2": (256,)}
assert set(We) == set(expected), f"keys must be {sorted(expected)}"
for name, shape in expected.items():
    assert np.shape(We[name]) == shape, f"{name}: expected shape {shape}, got {np.shape(We[name])}"
again = init_weights_(256, 64, np.random.default_rng(0))
assert all(np.array_equal(We[k], again[k]) for k in expected), "same seed, same weights"
print("init_weights: keys and shapes OK")

# %% nbgrader={"grade": true, "grade_id": "test_init_weights_range", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden test: shapes, dtype and the uniform range of every array on several sizes.
### BEGIN HIDDEN TESTS
from grader_tests.sparse_autoencoder import check
check("init_weights", "range")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_init_weights_rng", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden test: every value drawn from the rng argument; numpy"s global state untouched.
### BEGIN HIDDEN TESTS
from grader_tests.sparse_autoencoder import check
check("init_weights", "rng")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Cost and gradients (8 points)
#
# For a batch `data` $= D \in \mathbb{R}^{N \times L_{in}}$ (one sample $d_m$ per row), the
# network computes, with the sigmoid $\sigma$ in both layers,
#
# $$H = \sigma(D W_1 + b_1) \in \mathbb{R}^{N \times L_{hid}}, \qquad
#   O = \sigma(H W_2 + b_2) \in \mathbb{R}^{N \times L_{in}}.$$
#
# The cost is
#
# $$J = \frac{1}{2N} \sum_{m=1}^{N} \lVert d_m - o_m \rVert^2
#     + \frac{\lambda}{2} \Big( \sum_{a,b} (W_1)_{ab}^2 + \sum_{b,c} (W_2)_{bc}^2 \Big)
#     + \beta \sum_{b=1}^{L_{hid}} \mathrm{KL}(\rho \,\Vert\, \hat\rho_b),$$
#
# $$\hat\rho_b = \frac{1}{N} \sum_{m=1}^{N} H_{mb}, \qquad
#   \mathrm{KL}(\rho \,\Vert\, \hat\rho) = \rho \log \frac{\rho}{\hat\rho}
#     + (1 - \rho) \log \frac{1 - \rho}{1 - \hat\rho}$$
#
# (natural logarithms): the average reconstruction error, a weight decay on the weights (not
# on the biases), and a sparsity penalty that pulls the average activation $\hat\rho_b$ of
# each hidden unit over the batch towards a small target $\rho$.
#
# **Gradients.** Backpropagation gives, with $\odot$ the elementwise product and
# $\sigma'(a) = \sigma(a)(1 - \sigma(a))$ written with the *activations* $O$ and $H$:
#
# $$\Delta_{out} = \frac{1}{N} (O - D) \odot O \odot (1 - O), \qquad
#   \Delta_{hid} = \Big( \Delta_{out} W_2^\top + \frac{\beta}{N} \Big( -\frac{\rho}{\hat\rho}
#      + \frac{1 - \rho}{1 - \hat\rho} \Big) \Big) \odot H \odot (1 - H)$$
#
# (the sparsity row vector is added to every row), then
#
# $$\frac{\partial J}{\partial W_2} = H^\top \Delta_{out} + \lambda W_2, \quad
#   \frac{\partial J}{\partial b_2} = \textstyle\sum_m (\Delta_{out})_m, \quad
#   \frac{\partial J}{\partial W_1} = D^\top \Delta_{hid} + \lambda W_1, \quad
#   \frac{\partial J}{\partial b_1} = \textstyle\sum_m (\Delta_{hid})_m.$$
#
# Write `ae_cost(We, data, params)` returning `(J, grads)`: `J` a float, `grads` a dict with
# the keys and shapes of `We`. `params` is a dict with keys `'L_in'`, `'L_hid'`, `'lambda'`,
# `'beta'`, `'rho'`. Do not modify `We` or `data`. Use the given `sigmoid`.

# %% nbgrader={"grade": false, "grade_id": "ae_cost", "locked": false, "schema_version": 3, "solution": true, "task": false}
def ae_cost(We, data, params):
    """Sparse autoencoder cost J and its gradients {'W1', 'b1', 'W2', 'b2'}."""
    W1, b1, W2, b2 = We["W1"], We["b1"], We["W2"], We["b2"]
    lam, beta, rho = params["lambda"], params["beta"], params["rho"]
    ### BEGIN SOLUTION
    N = data.shape[0]
    H = sigmoid(data @ W1 + b1)
    O = sigmoid(H @ W2 + b2)
    rho_hat = np.mean(H, axis=0)
    reconstruction = np.sum((data - O) ** 2) / (2 * N)
    decay = lam / 2 * (np.sum(W1 * W1) + np.sum(W2 * W2))
    kl = np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)))
    J = reconstruction + decay + beta * kl

    delta_out = (O - data) * O * (1 - O) / N
    sparsity = beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat)) / N
    delta_hid = (delta_out @ W2.T + sparsity) * H * (1 - H)
    grads = {
        "W1": data.T @ delta_hid + lam * W1,
        "b1": delta_hid.sum(axis=0),
        "W2": H.T @ delta_out + lam * W2,
        "b2": delta_out.sum(axis=0),
    }
    return float(J), grads
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_ae_cost", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: J is a finite number; grads has We's keys and shapes.
ae_cost_ = ae_cost
rng_test = np.random.default_rng(3)
We_test = {"W1": rng_test.uniform(-0.3, 0.3, (20, 5)), "b1": rng_test.uniform(-0.3, 0.3, 5),
           "W2": rng_test.uniform(-0.3, 0.3, (5, 20)), "b2": rng_test.uniform(-0.3, 0.3, 20)}
params_test = {"L_in": 20, "L_hid": 5, "lambda": 1e-3, "beta": 0.1, "rho": 0.05}
J_test, grads_test = ae_cost_(We_test, rng_test.uniform(0.1, 0.9, (7, 20)), params_test)
assert np.ndim(J_test) == 0 and np.isfinite(J_test), "J must be a finite number"
assert set(grads_test) == set(We_test), "grads must have the keys W1, b1, W2, b2"
for name in We_test:
    assert np.shape(grads_test[name]) == We_test[name].shape, f"grads['{name}'] must have the shape of We['{name}']"
print(f"ae_cost: J = {float(J_test):.5f}; gradient shapes OK")

# %% nbgrader={"grade": true, "grade_id": "test_ae_cost_value", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden test: J against the reference on several sizes and hyperparameters.
### BEGIN HIDDEN TESTS
from grader_tests.sparse_autoencoder import check
check("ae_cost", "value")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_ae_cost_gradients", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Hidden test: every gradient against the reference.
### BEGIN HIDDEN TESTS
from grader_tests.sparse_autoencoder import check
check("ae_cost", "gradients")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_ae_cost_consistency", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden test: your gradients against finite differences of your own J.
### BEGIN HIDDEN TESTS
from grader_tests.sparse_autoencoder import check
check("ae_cost", "consistency")
### END HIDDEN TESTS

# %% [markdown]
# You can check your gradients yourself with centred finite differences,
# $\partial J / \partial \theta \approx (J(\theta + h) - J(\theta - h)) / 2h$
# (not graded; relative errors around $10^{-8}$ or smaller mean the gradients are right):

# %% nbgrader={"grade": false, "grade_id": "gradient_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
def gradient_check(cost, We, data, params, h=1e-6, samples=10, seed=0):
    """Max relative error between cost's gradients and finite differences, per array."""
    pick = np.random.default_rng(seed)
    _, grads = cost(We, data, params)
    errors = {}
    for name, W in We.items():
        worst = 0.0
        for _ in range(samples):
            index = tuple(pick.integers(0, s) for s in W.shape)
            plus = {k: v.copy() for k, v in We.items()}
            minus = {k: v.copy() for k, v in We.items()}
            plus[name][index] += h
            minus[name][index] -= h
            numeric = (cost(plus, data, params)[0] - cost(minus, data, params)[0]) / (2 * h)
            worst = max(worst, abs(numeric - grads[name][index]) / max(1e-8, abs(numeric) + abs(grads[name][index])))
        errors[name] = worst
    return errors


check_rng = np.random.default_rng(1)
We_check = init_weights(16, 5, check_rng)
check_params = {"L_in": 16, "L_hid": 5, "lambda": 1e-2, "beta": 0.3, "rho": 0.1}
print(gradient_check(ae_cost, We_check, check_rng.uniform(0.1, 0.9, (8, 16)), check_params))


# %% [markdown]
# ## 4. Training (5 points)
#
# Write `train_autoencoder(data, params, learning_rate, batch_size, epochs, rng)` for `data`
# of shape $(N, L_{in})$ (flattened patches), returning `(We, loss_history)`:
#
# - start from `init_weights(L_in, params['L_hid'], rng)`;
# - in every epoch draw a fresh random order of the $N$ samples from `rng` (e.g.
#   `rng.permutation(N)`), cut it into consecutive mini-batches of `batch_size` samples (the
#   last one may be smaller, every sample is used once per epoch) and after each mini-batch
#   update every array: $W \leftarrow W - \eta\, \partial J / \partial W$ with $\eta$ =
#   `learning_rate` and the gradients of `ae_cost` on that batch;
# - after each epoch's updates append $J$ of the **whole** `data` (from `ae_cost`) to
#   `loss_history`, a list of `epochs` floats.
#
# Use only `rng` for randomness, so the same seed gives the same run.

# %% nbgrader={"grade": false, "grade_id": "train_autoencoder", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_autoencoder(data, params, learning_rate, batch_size, epochs, rng):
    """Mini-batch gradient descent on ae_cost; returns (We, loss_history)."""
    ### BEGIN SOLUTION
    N, L_in = data.shape
    We = init_weights(L_in, params["L_hid"], rng)
    loss_history = []
    for epoch in range(epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            batch = data[order[start:start + batch_size]]
            _, grads = ae_cost(We, batch, params)
            for name in We:
                We[name] = We[name] - learning_rate * grads[name]
        loss_history.append(float(ae_cost(We, data, params)[0]))
    return We, loss_history
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train_autoencoder", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: output types and shapes, one loss per epoch, the loss goes down.
train_ = train_autoencoder
toy = np.random.default_rng(4).uniform(0.1, 0.9, (50, 16))
toy_params = {"L_in": 16, "L_hid": 4, "lambda": 1e-4, "beta": 0.01, "rho": 0.1}
We_toy, history_toy = train_(toy, toy_params, 0.5, 10, 3, np.random.default_rng(0))
assert np.shape(We_toy["W1"]) == (16, 4) and np.shape(We_toy["b2"]) == (16,)
assert len(history_toy) == 3, "one J per epoch"
assert all(np.isfinite(history_toy)), "the losses must be finite"
print("train_autoencoder: shapes OK; losses", np.round(history_toy, 5))

# %% nbgrader={"grade": true, "grade_id": "test_train_autoencoder_updates", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden test: the updates and loss history replayed on the reference cost.
### BEGIN HIDDEN TESTS
from grader_tests.sparse_autoencoder import check
check("train_autoencoder", "updates")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_autoencoder_rng", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden test: shuffles and initialisation drawn from rng, every epoch a fresh permutation.
### BEGIN HIDDEN TESTS
from grader_tests.sparse_autoencoder import check
check("train_autoencoder", "rng")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Training on the patches (given code)
#
# $L_{hid} = 64$, $\lambda = 5 \cdot 10^{-4}$, $\beta = 0.1$, $\rho = 0.05$, 30 epochs of
# mini-batches of 32 (a couple of minutes). Under autograde: 2 epochs on 1000 patches.

# %% nbgrader={"grade": false, "grade_id": "train", "locked": true, "schema_version": 3, "solution": false, "task": false}
X = preprocess(patches).reshape(len(patches), -1)
if SHORT_SCHEDULE:
    X, epochs = X[:1000], 2
else:
    epochs = 30
params = {"L_in": X.shape[1], "L_hid": 64, "lambda": 5e-4, "beta": 0.1, "rho": 0.05}
start = time.perf_counter()
We_trained, loss_history = train_autoencoder(X, params, learning_rate=0.5, batch_size=32,
                                             epochs=epochs, rng=np.random.default_rng(0))
print(f"{epochs} epochs on {len(X)} patches in {time.perf_counter() - start:.1f} s; "
      f"final J = {loss_history[-1]:.5f}")

plt.figure(figsize=(5, 3))
plt.plot(range(1, len(loss_history) + 1), loss_history, marker="o")
plt.xlabel("epoch")
plt.ylabel("J (whole data)")
plt.title("Training loss")
plt.tight_layout()
plt.show()


# %% [markdown]
# ### What did the hidden units learn? (given code)
#
# Each hidden unit $b$ responds most strongly to an input proportional to its weight column
# $W_1[:, b]$. Shown as a $16 \times 16$ image (each on its own grey scale), these are the
# features the network learned.

# %% nbgrader={"grade": false, "grade_id": "show_features", "locked": true, "schema_version": 3, "solution": false, "task": false}
def show_features(We, title):
    features = We["W1"].T.reshape(-1, 16, 16)
    show_grid(features, columns=int(np.ceil(np.sqrt(len(features)))), title=title)


show_features(We_trained, f"first-layer features, L_hid = {params['L_hid']}")

# %% [markdown]
# ## 6. Hidden-layer size and weight decay (given code, then a written answer)
#
# Retrain with three hidden-layer sizes $L_{hid} \in \{16, 49, 100\}$ (low, medium, high in
# $[10, 100]$) and three weight decays $\lambda \in \{0, 10^{-4}, 10^{-3}\}$ (low, medium,
# high in $[0, 10^{-3}]$), keeping $\beta$ and $\rho$ fixed: nine runs, one figure of
# features each (about ten minutes in total; under autograde a short schedule).

# %% nbgrader={"grade": false, "grade_id": "study", "locked": true, "schema_version": 3, "solution": false, "task": false}
study_epochs = 2 if SHORT_SCHEDULE else 15
study_X = X[:1000] if SHORT_SCHEDULE else X
study = {}
for L_hid in (16, 49, 100):
    for lam in (0.0, 1e-4, 1e-3):
        setting = dict(params, L_hid=L_hid, **{"lambda": lam})
        We_s, history_s = train_autoencoder(study_X, setting, learning_rate=0.5, batch_size=32,
                                            epochs=study_epochs, rng=np.random.default_rng(0))
        study[L_hid, lam] = (We_s, history_s)
        show_features(We_s, f"L_hid = {L_hid}, lambda = {lam:g}: final J = {history_s[-1]:.4f}")

# %% [markdown]
# ### 6.1 Discussion (4 points, written)
#
# Describe the features of section 5: what do they look like, and why would an autoencoder
# trained on natural images learn them? Then compare the nine runs of section 6: how do the
# hidden-layer size $L_{hid}$ and the weight decay $\lambda$ change the features (and the
# final loss)? Refer to your figures.

# %% [markdown] nbgrader={"grade": true, "grade_id": "features_discussion", "locked": false, "points": 4, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** The first-layer features are localised: with the notebook's 30-epoch
# schedule mostly blobs and stripes with a visible orientation, which sharpen into oriented
# edge or bar detectors (Gabor-like: a light stripe next to a dark one) at various positions
# and orientations when training runs longer (the loss is still falling at epoch 30). *TA
# note: accept either description when it matches the student's own figure.* Natural images are dominated by smooth regions separated by
# edges; after removing each patch's mean, the structure that a few sparse units can encode
# most economically is where and how an edge runs, so each unit specialises on one such local
# pattern (a sparse code, as in Olshausen & Field and V1 simple cells).
#
# *L_hid.* With few units (16) each feature must cover much of the data: features are coarse,
# larger and more global, and the reconstruction error is higher. With more units (49, 100)
# the features become more localised and more varied (more positions, orientations and
# frequencies) and the loss is lower; at 100 some units duplicate others or stay noisy/unused
# (redundancy; with sparsity fixed, the extra units are rarely active).
#
# *lambda.* Without weight decay the weights grow where that helps reconstruction, and the
# features are noisier and less localised (high-frequency, speckled patterns). A medium lambda
# gives smooth, clean edge detectors. The largest lambda (1e-3) shrinks the weights strongly:
# features become blurrier/low-frequency, several units look alike or fade, and the final J is
# higher because the decay term dominates.
#
# **Rubric (4 points).** 1 pt: the features are described as localised (blobs, stripes or
# oriented edges/bars, as in their figure) — not "they look like the images". 1 pt: a reason tied to the statistics of
# natural images or to sparsity/efficient coding. 1 pt: the effect of L_hid (few units: coarse,
# global features and higher loss; many units: more specific/varied features, redundancy or
# dead units). 1 pt: the effect of lambda (none: noisy/high-frequency; large: smooth/blurry,
# weaker or duplicated features, higher loss). Claims must be consistent with the student's
# own figures; "overfitting" alone is not an explanation.
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

selfcheck.check("sparse_autoencoder.ipynb")
