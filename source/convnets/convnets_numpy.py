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
# # Convolutional networks in numpy
#
# You will write the layers of a convolutional network by hand: the convolution and max
# pooling (forward and backward), a three-layer ConvNet with its loss and gradients, and two
# normalisation layers for feature maps (spatial batch normalisation and group normalisation).
# The second notebook, `convnets_pytorch.ipynb`, builds the same network in PyTorch.
#
# **Rules.**
# - Write your code only where `# YOUR CODE HERE` stands; keep the names and signatures. numpy
#   only (no torch, no autograd): the backward passes are yours.
# - Each forward pass returns `(out, cache)`; its backward pass receives the upstream gradient
#   and that cache, whose content is your choice. A forward and its backward share one answer
#   cell.
# - Visible tests check shapes and run a small gradient check; hidden tests compare your numbers
#   with a reference on several shapes (batch size 1, one channel, odd sizes, strides, paddings)
#   and your gradients with finite differences of your own forward pass.
# - The ConvNet of section 3 is graded with correct convolution and pooling layers, so a bug in
#   sections 1-2 does not cost you twice.
#
# | part | points |
# | --- | --- |
# | 1. Convolution | 6 |
# | 2. Max pooling | 4 |
# | 3. A three-layer ConvNet | 6 |
# | 4. Spatial batch normalisation | 6 |
# | 5. Spatial group normalisation | 5 |

# %% [markdown]
# ## 0. Setup (given code)
#
# `cnn_helpers.py`, which comes with this notebook (keep it in the same folder), holds the given
# layers (`affine_forward/backward`, `relu_forward/backward`, `softmax_loss`), the gradient
# checkers (`eval_numerical_gradient`, `eval_numerical_gradient_array`), `rel_error` and
# `normalize_images`.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import math
import os
import time

import numpy as np
import matplotlib.pyplot as plt
from tqdm.auto import tqdm

from cnn_helpers import (affine_backward, affine_forward, eval_numerical_gradient,
                         eval_numerical_gradient_array, normalize_images, rel_error,
                         relu_backward, relu_forward, softmax_loss)

# Under autograde (and when you set COURSE_SHORT_SCHEDULE=1) training runs a short schedule.
SHORT_SCHEDULE = os.environ.get("COURSE_SHORT_SCHEDULE") == "1"
# `nbgrader validate` shows each failing check by its error line alone (no traceback)
if os.environ.get("NBGRADER_VALIDATING"):
    get_ipython().run_line_magic("xmode", "Minimal")
print("short schedule:", SHORT_SCHEDULE)

# %% [markdown]
# ## Data (given code)
#
# CIFAR-10 in its python version: 50000 training and 10000 test images of $3 \times 32 \times
# 32$ pixels, ten classes. Put the folder `cifar-10-batches-py` (from the CIFAR-10 web page) at
# `data/cifar10/real/cifar-10-batches-py/` beside this notebook to use it. Without it, the
# loader `cifar10.py` (it comes with this notebook) builds a stand-in with the same layout in
# `data/cifar10/standin/` the first time (a few seconds): handwritten digits 0-9 drawn in colour
# over patches of photographs. The line printed below says which one is in use.

# %% nbgrader={"grade": false, "grade_id": "load_data", "locked": true, "schema_version": 3, "solution": false, "task": false}
from cifar10 import class_names, load_cifar10

X_train_raw, y_train, X_test_raw, y_test = load_cifar10(num_train=2000, num_test=500)
X_train, X_test = normalize_images(X_train_raw), normalize_images(X_test_raw)
names = class_names()
plt.figure(figsize=(10, 2))
for k in range(10):
    plt.subplot(1, 10, k + 1)
    plt.imshow(X_train_raw[k].transpose(1, 2, 0))
    plt.title(names[y_train[k]], fontsize=8)
    plt.axis("off")
plt.show()

# %% [markdown]
# ## 1. Convolution (6 points)
#
# Write `conv_forward_naive(x, w, b, conv_param)` and `conv_backward_naive(dout, cache)`.
#
# - `x`: input, of shape $(N, C, H, W)$; `w`: filters, of shape $(F, C, HH, WW)$; `b`: biases,
#   of shape $(F,)$; `conv_param = {'stride': s, 'pad': p}`.
# - Pad $x$ with $p$ zeros on both sides of $H$ and $W$ (never $N$ or $C$), then slide each
#   filter with step $s$: $\text{out}[n, f, i, j] = \sum_{c, k, l} x_p[n, c, i s + k, j s + l]\,
#   w[f, c, k, l] + b[f]$ (a cross-correlation: no kernel flip). The output has shape
#   $(N, F, H', W')$ with $H' = 1 + (H + 2p - HH) / s$ and $W' = 1 + (W + 2p - WW) / s$.
# - `conv_backward_naive` returns `(dx, dw, db)`, each shaped like `x`, `w`, `b`.
#
# Loops are fine (clarity first), but every loop over $N$, $F$ and $C$ makes the training in
# section 3 slower: loop over output positions and use array operations inside.

# %% nbgrader={"grade": false, "grade_id": "conv_naive", "locked": false, "schema_version": 3, "solution": true, "task": false}
def conv_forward_naive(x, w, b, conv_param):
    """Convolution forward pass: x (N, C, H, W), w (F, C, HH, WW), b (F,) -> (out, cache)."""
    ### BEGIN SOLUTION
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out, W_out = 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.empty((N, F, H_out, W_out), dtype=np.result_type(x, w))
    for i in range(H_out):
        for j in range(W_out):
            window = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, b, conv_param)
    ### END SOLUTION


def conv_backward_naive(dout, cache):
    """Convolution backward pass: dout (N, F, H', W') -> (dx, dw, db)."""
    ### BEGIN SOLUTION
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    _, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp, dtype=np.result_type(x, dout))
    dw = np.zeros_like(w, dtype=np.result_type(w, dout))
    for i in range(H_out):
        for j in range(W_out):
            rows, cols = slice(i * stride, i * stride + HH), slice(j * stride, j * stride + WW)
            g = dout[:, :, i, j]
            dw += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))
            dxp[:, :, rows, cols] += np.tensordot(g, w, axes=([1], [0]))
    dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return dx, dw, dout.sum(axis=(0, 2, 3))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_conv_naive_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Visible test: the output shape, and a filter that copies the middle pixel.
x = np.random.default_rng(0).standard_normal((2, 3, 5, 5))
w = np.zeros((2, 3, 3, 3))
w[0, 1, 1, 1] = 1.0                       # filter 0 copies channel 1
out, _ = conv_forward_naive(x, w, np.array([0.0, 0.5]), {"stride": 1, "pad": 1})
assert out.shape == (2, 2, 5, 5), f"expected shape (2, 2, 5, 5), got {out.shape}"
assert rel_error(out[:, 0], x[:, 1]) < 1e-12, "a filter with one 1 in its centre must copy its channel"
assert np.allclose(out[:, 1], 0.5), "an all-zero filter gives its bias everywhere"
out, _ = conv_forward_naive(x, np.ones((1, 3, 3, 3)), np.zeros(1), {"stride": 2, "pad": 0})
assert out.shape == (2, 1, 2, 2), f"stride 2, pad 0: expected shape (2, 1, 2, 2), got {out.shape}"
print("conv_forward_naive: shapes and simple filters OK")

# Hidden test: conv_forward_naive / conv_backward_naive forward values against the reference on several shapes (N = 1, C = 1, odd sizes, strides and paddings).
### BEGIN HIDDEN TESTS
from grader_tests.convnets import check
check("conv_naive", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_conv_naive_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Visible test: a numerical gradient check on one small input.
rng = np.random.default_rng(1)
x, w, b = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((2, 3, 3, 3)), rng.standard_normal(2)
conv_param = {"stride": 1, "pad": 1}
out, cache = conv_forward_naive(x, w, b, conv_param)
dout = rng.standard_normal(out.shape)
dx, dw, db = conv_backward_naive(dout, cache)
for name, mine, num in (
        ("dx", dx, eval_numerical_gradient_array(lambda v: conv_forward_naive(v, w, b, conv_param)[0], x, dout)),
        ("dw", dw, eval_numerical_gradient_array(lambda v: conv_forward_naive(x, v, b, conv_param)[0], w, dout)),
        ("db", db, eval_numerical_gradient_array(lambda v: conv_forward_naive(x, w, v, conv_param)[0], b, dout))):
    print(f"{name} relative error: {rel_error(mine, num):.2e}")
    assert rel_error(mine, num) < 1e-6, f"{name} disagrees with the numerical gradient"

# Hidden test: conv_forward_naive / conv_backward_naive gradients against the reference and against finite differences of your own forward pass.
### BEGIN HIDDEN TESTS
from grader_tests.convnets import check
check("conv_naive", "backward")
### END HIDDEN TESTS

# %% [markdown]
# ### Convolution as image processing (given code)
#
# Two hand-made filters applied with your `conv_forward_naive`: the first converts an image to
# grey levels (a weighted sum of the channels at the centre pixel), the second responds to
# horizontal edges of the blue channel.

# %% nbgrader={"grade": false, "grade_id": "image_filters", "locked": true, "schema_version": 3, "solution": false, "task": false}
images = X_train_raw[:2].astype(np.float64)
w = np.zeros((2, 3, 3, 3))
w[0, :, 1, 1] = [0.3, 0.6, 0.1]
w[1, 2] = [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]
filtered, _ = conv_forward_naive(images, w, np.array([0.0, 128.0]), {"stride": 1, "pad": 1})
plt.figure(figsize=(6, 4))
for row in range(2):
    for col, (image, title) in enumerate(((images[row].transpose(1, 2, 0) / 255, "image"),
                                          (filtered[row, 0], "grey"), (filtered[row, 1], "edges"))):
        plt.subplot(2, 3, 3 * row + col + 1)
        plt.imshow(image, cmap=None if col == 0 else "gray")
        plt.title(title, fontsize=8)
        plt.axis("off")
plt.show()

# %% [markdown]
# ## 2. Max pooling (4 points)
#
# Write `max_pool_forward_naive(x, pool_param)` and `max_pool_backward_naive(dout, cache)`,
# with `pool_param = {'pool_height', 'pool_width', 'stride'}` and no padding:
# $\text{out}[n, c, i, j] = \max_{k < ph,\, l < pw} x[n, c, i s + k, j s + l]$, output shape
# $(N, C, H', W')$ with $H' = 1 + (H - ph) / s$, $W' = 1 + (W - pw) / s$. The backward pass
# sends each window's upstream gradient to the position of that window's maximum (windows may
# overlap when the stride is smaller than the pool; the tests avoid ties).

# %% nbgrader={"grade": false, "grade_id": "max_pool_naive", "locked": false, "schema_version": 3, "solution": true, "task": false}
def max_pool_forward_naive(x, pool_param):
    """Max pooling forward pass: x (N, C, H, W) -> (out (N, C, H', W'), cache)."""
    ### BEGIN SOLUTION
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    H_out, W_out = 1 + (H - ph) // s, 1 + (W - pw) // s
    out = np.empty((N, C, H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = x[:, :, i * s:i * s + ph, j * s:j * s + pw].max(axis=(2, 3))
    return out, (x, pool_param)
    ### END SOLUTION


def max_pool_backward_naive(dout, cache):
    """Max pooling backward pass: dout (N, C, H', W') -> dx (N, C, H, W)."""
    ### BEGIN SOLUTION
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, _, _ = x.shape
    _, _, H_out, W_out = dout.shape
    dx = np.zeros_like(x, dtype=np.result_type(x, dout))
    n_idx, c_idx = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * s:i * s + ph, j * s:j * s + pw].reshape(N, C, -1)
            r, q = np.unravel_index(window.argmax(axis=2), (ph, pw))
            dx[n_idx, c_idx, i * s + r, j * s + q] += dout[:, :, i, j]
    return dx
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_max_pool_naive_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: shape and values on a small input.
x = np.arange(32, dtype=np.float64).reshape(1, 2, 4, 4)
out, _ = max_pool_forward_naive(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
assert out.shape == (1, 2, 2, 2), f"expected shape (1, 2, 2, 2), got {out.shape}"
assert np.array_equal(out[0, 0], [[5, 7], [13, 15]]), f"unexpected maxima {out[0, 0]}"
print("max_pool_forward_naive: shape and values OK")

# Hidden test: max_pool_forward_naive / max_pool_backward_naive forward values against the reference on several shapes (N = 1, C = 1, odd sizes, strides and paddings).
### BEGIN HIDDEN TESTS
from grader_tests.convnets import check
check("max_pool_naive", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_max_pool_naive_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: a numerical gradient check.
rng = np.random.default_rng(2)
x = rng.standard_normal((2, 3, 6, 6))
pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
out, cache = max_pool_forward_naive(x, pool_param)
dout = rng.standard_normal(out.shape)
dx = max_pool_backward_naive(dout, cache)
dx_num = eval_numerical_gradient_array(lambda v: max_pool_forward_naive(v, pool_param)[0], x, dout)
print(f"dx relative error: {rel_error(dx, dx_num):.2e}")
assert rel_error(dx, dx_num) < 1e-6, "dx disagrees with the numerical gradient"

# Hidden test: max_pool_forward_naive / max_pool_backward_naive gradients against the reference and against finite differences of your own forward pass.
### BEGIN HIDDEN TESTS
from grader_tests.convnets import check
check("max_pool_naive", "backward")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. A three-layer ConvNet (6 points)
#
# Complete `ThreeLayerConvNet`: conv - relu - 2×2 max pool (stride 2) - affine - relu - affine
# - softmax. The convolution keeps the size ('same' padding $p = (\text{filter\_size} - 1)/2$,
# stride 1), so the pooled maps are $F \times H/2 \times W/2$.
#
# - `__init__`: `self.params` holds `W1` $(F, C, k, k)$, `b1` $(F,)$, `W2`
#   $(F \cdot H/2 \cdot W/2, \text{hidden})$, `b2`, `W3` $(\text{hidden}, \text{classes})$, `b3`;
#   weights from a normal with mean 0 and standard deviation `weight_scale`
#   (`np.random.normal`), biases zero, everything cast to `dtype`.
# - `loss(X, y=None)`: the scores $(N, \text{classes})$ when `y` is None; otherwise `(loss,
#   grads)`: the softmax loss plus $\frac{1}{2}\,\text{reg}\,(\lVert W_1\rVert^2 + \lVert W_2
#   \rVert^2 + \lVert W_3\rVert^2)$, and `grads` with the keys and shapes of `self.params`.
#   Use your layers of sections 1-2 and the given ones.

# %% nbgrader={"grade": false, "grade_id": "three_layer_convnet_numpy", "locked": false, "schema_version": 3, "solution": true, "task": false}
class ThreeLayerConvNet:
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax."""

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32):
        self.reg = reg
        self.dtype = dtype
        self.params = {}
        ### BEGIN SOLUTION
        C, H, W = input_dim
        shapes = {"W1": (num_filters, C, filter_size, filter_size), "b1": (num_filters,),
                  "W2": (num_filters * (H // 2) * (W // 2), hidden_dim), "b2": (hidden_dim,),
                  "W3": (hidden_dim, num_classes), "b3": (num_classes,)}
        for name, shape in shapes.items():
            value = np.random.normal(0.0, weight_scale, shape) if name[0] == "W" else np.zeros(shape)
            self.params[name] = value.astype(dtype)
        ### END SOLUTION

    def loss(self, X, y=None):
        """X: images, of shape (N, C, H, W); y: labels, of shape (N,), or None."""
        ### BEGIN SOLUTION
        p = self.params
        conv_param = {"stride": 1, "pad": (p["W1"].shape[2] - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        a1, conv_cache = conv_forward_naive(X, p["W1"], p["b1"], conv_param)
        r1, relu1_cache = relu_forward(a1)
        pooled, pool_cache = max_pool_forward_naive(r1, pool_param)
        a2, fc1_cache = affine_forward(pooled, p["W2"], p["b2"])
        r2, relu2_cache = relu_forward(a2)
        scores, fc2_cache = affine_forward(r2, p["W3"], p["b3"])
        if y is None:
            return scores
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * sum(np.sum(p[k] ** 2) for k in ("W1", "W2", "W3"))
        grads = {}
        dr2, grads["W3"], grads["b3"] = affine_backward(dscores, fc2_cache)
        dpooled, grads["W2"], grads["b2"] = affine_backward(relu_backward(dr2, relu2_cache), fc1_cache)
        dr1 = max_pool_backward_naive(dpooled, pool_cache)
        _, grads["W1"], grads["b1"] = conv_backward_naive(relu_backward(dr1, relu1_cache), conv_cache)
        for k in ("W1", "W2", "W3"):
            grads[k] = grads[k] + self.reg * p[k]
        return loss, grads
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_three_layer_convnet_numpy_structure", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: parameter shapes and dtype.
model = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=4, filter_size=3, hidden_dim=6)
expected = {"W1": (4, 3, 3, 3), "b1": (4,), "W2": (64, 6), "b2": (6,), "W3": (6, 10), "b3": (10,)}
for name, shape in expected.items():
    assert model.params[name].shape == shape, f"{name}: expected {shape}, got {model.params[name].shape}"
    assert model.params[name].dtype == np.float32, f"{name} must be float32 (the dtype argument)"
print("ThreeLayerConvNet: parameter shapes OK")

# Hidden test: parameter names, shapes, dtype and initialisation.
### BEGIN HIDDEN TESTS
from grader_tests.convnets import check
check("three_layer_convnet_numpy", "structure")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_three_layer_convnet_numpy_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: with tiny weights every class is about equally likely, so the loss is about log(10).
np.random.seed(0)
model = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=4, filter_size=3, hidden_dim=6, dtype=np.float64)
X = np.random.randn(5, 3, 8, 8)
y = np.random.randint(10, size=5)
loss, _ = model.loss(X, y)
print(f"initial loss {loss:.4f} (log(10) = {np.log(10):.4f})")
assert abs(loss - np.log(10)) < 0.05, "with small weights the loss should be close to log(10)"
assert model.loss(X).shape == (5, 10), "loss(X) without labels returns the scores (N, classes)"

# Hidden test: scores and loss (with and without regularisation) against the reference, with the grader"s parameters.
### BEGIN HIDDEN TESTS
from grader_tests.convnets import check
check("three_layer_convnet_numpy", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_three_layer_convnet_numpy_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Visible test: a numerical gradient check of every parameter (small network, reg > 0).
np.random.seed(1)
model = ThreeLayerConvNet(input_dim=(2, 6, 6), num_filters=3, filter_size=3, hidden_dim=5,
                          num_classes=4, weight_scale=1e-1, reg=0.05, dtype=np.float64)
X = np.random.randn(2, 2, 6, 6)
y = np.array([1, 3])
loss, grads = model.loss(X, y)
for name in sorted(model.params):
    num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], h=1e-6)
    print(f"{name} relative error: {rel_error(grads[name], num):.2e}")
    assert rel_error(grads[name], num) < 1e-4, f"grads['{name}'] disagrees with the numerical gradient"

# Hidden test: every gradient against the reference and against finite differences of your own loss.
### BEGIN HIDDEN TESTS
from grader_tests.convnets import check
check("three_layer_convnet_numpy", "backward")
### END HIDDEN TESTS

# %% [markdown]
# ### Training (given code)
#
# A sanity check first: a small network should overfit a small training set (the training
# accuracy goes up, the test accuracy much less). Plain SGD with momentum on mini-batches.
# Under autograde this runs a few iterations only.

# %% nbgrader={"grade": false, "grade_id": "train", "locked": true, "schema_version": 3, "solution": false, "task": false}
def train_sgd(model, X, y, epochs, batch_size, learning_rate, momentum=0.9, seed=0):
    """Mini-batch SGD with momentum on model.loss; returns the list of batch losses."""
    rng = np.random.default_rng(seed)
    velocity = {k: np.zeros_like(v) for k, v in model.params.items()}
    losses = []
    steps = range(epochs * max(1, len(X) // batch_size))
    for step in tqdm(steps, desc="training", leave=False):
        batch = rng.choice(len(X), size=batch_size, replace=False)
        loss, grads = model.loss(X[batch], y[batch])
        for k in model.params:
            velocity[k] = momentum * velocity[k] - learning_rate * grads[k]
            model.params[k] += velocity[k]
        losses.append(float(loss))
    return losses


def accuracy(model, X, y, batch_size=100):
    predictions = [model.loss(X[i:i + batch_size]).argmax(axis=1) for i in range(0, len(X), batch_size)]
    return float(np.mean(np.concatenate(predictions) == y))


np.random.seed(0)
n_small = 20 if SHORT_SCHEDULE else 200
small_model = ThreeLayerConvNet(num_filters=8 if SHORT_SCHEDULE else 16, filter_size=5, hidden_dim=64,
                                weight_scale=5e-2, reg=1e-4)
start = time.perf_counter()
losses = train_sgd(small_model, X_train[:n_small], y_train[:n_small], epochs=1 if SHORT_SCHEDULE else 15,
                   batch_size=10 if SHORT_SCHEDULE else 25, learning_rate=2e-3)
print(f"{len(losses)} iterations in {time.perf_counter() - start:.1f} s; "
      f"train accuracy {accuracy(small_model, X_train[:n_small], y_train[:n_small]):.2f}, "
      f"test accuracy {accuracy(small_model, X_test[:100], y_test[:100]):.2f}")
plt.plot(losses)
plt.xlabel("iteration")
plt.ylabel("training loss")
plt.show()

# %% [markdown]
# ### The first layer's filters (given code)
#
# Each filter of `W1` drawn as a small colour image (scaled to [0, 1] on its own).

# %% nbgrader={"grade": false, "grade_id": "show_filters", "locked": true, "schema_version": 3, "solution": false, "task": false}
W1 = small_model.params["W1"].transpose(0, 2, 3, 1)
plt.figure(figsize=(8, 1.5))
for k, f in enumerate(W1):
    plt.subplot(1, len(W1), k + 1)
    plt.imshow((f - f.min()) / max(f.max() - f.min(), 1e-12))
    plt.axis("off")
plt.show()

# %% [markdown]
# ## 4. Spatial batch normalisation (6 points)
#
# Batch normalisation of a feature map normalises each channel with statistics taken over the
# batch **and** both spatial axes: for channel $c$, $\mu_c$ and $\sigma_c^2$ are the mean and
# the (biased, `ddof=0`) variance of $x[:, c, :, :]$, and
# $\text{out} = \gamma_c \,(x - \mu_c)/\sqrt{\sigma_c^2 + \epsilon} + \beta_c$.
#
# `spatial_batchnorm_forward(x, gamma, beta, bn_param)`: `gamma`, `beta` of shape $(C,)$;
# `bn_param` holds `mode` (`'train'` or `'test'`) and optionally `eps` (default 1e-5),
# `momentum` (default 0.9), `running_mean` and `running_var` (shape $(C,)$, zeros when absent).
# In train mode use the batch statistics and update
# `running = momentum * running + (1 - momentum) * batch_statistic` for the mean and the
# variance; in test mode normalise with the running ones. Write the running statistics back into
# `bn_param`. `spatial_batchnorm_backward(dout, cache)` (train mode) returns `(dx, dgamma,
# dbeta)`.

# %% nbgrader={"grade": false, "grade_id": "spatial_batchnorm", "locked": false, "schema_version": 3, "solution": true, "task": false}
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """x (N, C, H, W), gamma and beta (C,) -> (out (N, C, H, W), cache)."""
    ### BEGIN SOLUTION
    mode = bn_param["mode"]
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    C = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(C, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(C, dtype=x.dtype))
    g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    cache = None
    if mode == "train":
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        std = np.sqrt(var + eps).reshape(1, C, 1, 1)
        xhat = (x - mean.reshape(1, C, 1, 1)) / std
        cache = (xhat, gamma, std)
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    elif mode == "test":
        xhat = (x - running_mean.reshape(1, C, 1, 1)) / np.sqrt(running_var.reshape(1, C, 1, 1) + eps)
    else:
        raise ValueError(f"invalid mode {mode!r}")
    bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    return g * xhat + b, cache
    ### END SOLUTION


def spatial_batchnorm_backward(dout, cache):
    """dout (N, C, H, W) -> (dx, dgamma (C,), dbeta (C,))."""
    ### BEGIN SOLUTION
    xhat, gamma, std = cache
    C = dout.shape[1]
    m = dout.shape[0] * dout.shape[2] * dout.shape[3]
    dxhat = dout * gamma.reshape(1, C, 1, 1)
    dx = (dxhat - dxhat.sum(axis=(0, 2, 3), keepdims=True) / m
          - xhat * (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True) / m) / std
    return dx, (dout * xhat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_spatial_batchnorm_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: in train mode each channel comes out with mean beta and std gamma.
rng = np.random.default_rng(3)
x = 4 * rng.standard_normal((2, 3, 4, 5)) + 10
gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([0.0, -1.0, 5.0])
out, _ = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
print("means", out.mean(axis=(0, 2, 3)), "stds", out.std(axis=(0, 2, 3)))
assert np.allclose(out.mean(axis=(0, 2, 3)), beta), "per-channel means must equal beta"
assert np.allclose(out.std(axis=(0, 2, 3)), gamma, atol=1e-4), "per-channel stds must equal gamma"

# Hidden test: spatial batch normalisation (train and test mode) forward values against the reference on several shapes (N = 1, C = 1, odd sizes, strides and paddings).
### BEGIN HIDDEN TESTS
from grader_tests.convnets import check
check("spatial_batchnorm", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_spatial_batchnorm_running", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Visible test: the running statistics appear in bn_param after a train-mode call.
x = 4 * np.random.default_rng(3).standard_normal((2, 3, 4, 5)) + 10
gamma, beta = np.ones(3), np.zeros(3)
bn_param = {"mode": "train"}
spatial_batchnorm_forward(x, gamma, beta, bn_param)
assert "running_mean" in bn_param and "running_var" in bn_param, "write the running statistics into bn_param"
assert np.allclose(bn_param["running_mean"], 0.1 * x.mean(axis=(0, 2, 3))), "running_mean after one call from zeros"
print("running statistics written back")

# Hidden test: the running mean and variance written back into bn_param, over several train-mode calls, then used in test mode.
### BEGIN HIDDEN TESTS
from grader_tests.convnets import check
check("spatial_batchnorm", "running")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_spatial_batchnorm_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Visible test: a numerical gradient check in train mode.
rng = np.random.default_rng(4)
x = 5 * rng.standard_normal((2, 3, 4, 5)) + 12
gamma, beta, dout = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal((2, 3, 4, 5))
f = lambda x_, g_, b_: spatial_batchnorm_forward(x_, g_, b_, {"mode": "train"})[0]
_, cache = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
for name, mine, num in (("dx", dx, eval_numerical_gradient_array(lambda v: f(v, gamma, beta), x, dout)),
                        ("dgamma", dgamma, eval_numerical_gradient_array(lambda v: f(x, v, beta), gamma, dout)),
                        ("dbeta", dbeta, eval_numerical_gradient_array(lambda v: f(x, gamma, v), beta, dout))):
    print(f"{name} relative error: {rel_error(mine, num):.2e}")
    assert rel_error(mine, num) < 1e-5, f"{name} disagrees with the numerical gradient"

# Hidden test: spatial batch normalisation (train and test mode) gradients against the reference and against finite differences of your own forward pass.
### BEGIN HIDDEN TESTS
from grader_tests.convnets import check
check("spatial_batchnorm", "backward")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Spatial group normalisation (5 points)
#
# Group normalisation does not depend on the batch: each sample's $C$ channels are split into
# $G$ groups of $C/G$ **contiguous** channels (channels $0..C/G-1$ form group 0, and so on), and
# each (sample, group) is normalised with the mean and biased variance over its channels and
# both spatial axes; then each channel is scaled and shifted:
# $\text{out} = \gamma \hat{x} + \beta$ with `gamma`, `beta` of shape $(1, C, 1, 1)$.
# `gn_param` may hold `eps` (default 1e-5). $G = 1$ is layer normalisation, $G = C$ instance
# normalisation. `spatial_groupnorm_backward(dout, cache)` returns `(dx, dgamma, dbeta)` with
# `dgamma`, `dbeta` of shape $(1, C, 1, 1)$.

# %% nbgrader={"grade": false, "grade_id": "spatial_groupnorm", "locked": false, "schema_version": 3, "solution": true, "task": false}
def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """x (N, C, H, W), gamma and beta (1, C, 1, 1), G groups -> (out, cache)."""
    ### BEGIN SOLUTION
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, C // G, H, W)
    mean = xg.mean(axis=(2, 3, 4), keepdims=True)
    std = np.sqrt(xg.var(axis=(2, 3, 4), keepdims=True) + eps)
    xhat = ((xg - mean) / std).reshape(N, C, H, W)
    return gamma * xhat + beta, (xhat, gamma, std, G)
    ### END SOLUTION


def spatial_groupnorm_backward(dout, cache):
    """dout (N, C, H, W) -> (dx, dgamma (1, C, 1, 1), dbeta (1, C, 1, 1))."""
    ### BEGIN SOLUTION
    xhat, gamma, std, G = cache
    N, C, H, W = dout.shape
    dxhat = (dout * gamma).reshape(N, G, C // G, H, W)
    xh = xhat.reshape(N, G, C // G, H, W)
    m = (C // G) * H * W
    dx = (dxhat - dxhat.sum(axis=(2, 3, 4), keepdims=True) / m
          - xh * (dxhat * xh).sum(axis=(2, 3, 4), keepdims=True) / m) / std
    return (dx.reshape(N, C, H, W), (dout * xhat).sum(axis=(0, 2, 3), keepdims=True),
            dout.sum(axis=(0, 2, 3), keepdims=True))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_spatial_groupnorm_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Visible test: with gamma = 1, beta = 0 every (sample, group) has mean 0 and std 1.
rng = np.random.default_rng(5)
x = 4 * rng.standard_normal((2, 6, 4, 5)) + 10
out, _ = spatial_groupnorm_forward(x, np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), 2, {})
groups = out.reshape(2, 2, -1)
print("group means", groups.mean(axis=2).ravel(), "stds", groups.std(axis=2).ravel())
assert out.shape == x.shape, f"expected shape {x.shape}, got {out.shape}"
assert np.allclose(groups.mean(axis=2), 0) and np.allclose(groups.std(axis=2), 1, atol=1e-4)

# Hidden test: spatial group normalisation (G = 1, G = C and in between) forward values against the reference on several shapes (N = 1, C = 1, odd sizes, strides and paddings).
### BEGIN HIDDEN TESTS
from grader_tests.convnets import check
check("spatial_groupnorm", "forward")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_spatial_groupnorm_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Visible test: a numerical gradient check.
rng = np.random.default_rng(6)
x = 5 * rng.standard_normal((2, 6, 4, 5)) + 12
gamma, beta = rng.standard_normal((1, 6, 1, 1)), rng.standard_normal((1, 6, 1, 1))
dout = rng.standard_normal(x.shape)
f = lambda x_, g_, b_: spatial_groupnorm_forward(x_, g_, b_, 2, {})[0]
_, cache = spatial_groupnorm_forward(x, gamma, beta, 2, {})
dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
for name, mine, num in (("dx", dx, eval_numerical_gradient_array(lambda v: f(v, gamma, beta), x, dout)),
                        ("dgamma", dgamma, eval_numerical_gradient_array(lambda v: f(x, v, beta), gamma, dout)),
                        ("dbeta", dbeta, eval_numerical_gradient_array(lambda v: f(x, gamma, v), beta, dout))):
    print(f"{name} relative error: {rel_error(mine, num):.2e}")
    assert rel_error(mine, num) < 1e-5, f"{name} disagrees with the numerical gradient"

# Hidden test: spatial group normalisation (G = 1, G = C and in between) gradients against the reference and against finite differences of your own forward pass.
### BEGIN HIDDEN TESTS
from grader_tests.convnets import check
check("spatial_groupnorm", "backward")
### END HIDDEN TESTS


# %% [markdown]
# ## Self-check before you submit
#
# Save the notebook, then run the next cell: it needs none of the cells above. For each unit it
# prints one line: answered or not, whether its visible tests pass (or the first one that fails,
# and why), and the points at stake. Hidden tests decide your points, so passing the visible
# tests is a start, not a grade. In a terminal in this folder, `python selfcheck.py` does the same.

# %% nbgrader={"grade": false, "grade_id": "self_check", "locked": true, "schema_version": 3, "solution": false, "task": false}
import selfcheck

selfcheck.check("convnets_numpy.ipynb")
