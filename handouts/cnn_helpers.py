"""Given layers and checking tools for the `convnets` assignment (both notebooks import them).

This file is self-contained (numpy only; torch is imported inside the two PyTorch helpers): the
course keeps it in ``handouts/`` and ships a copy beside the notebooks (``from cnn_helpers
import ...``). Autograde restores the course's copy, and the grader runs the course's copy, never
a student's edited one.

Layers (numpy, cs231n style: every forward returns ``(out, cache)``, every backward takes the
upstream gradient and that cache):

- ``affine_forward(x, w, b)``: x of shape (N, d_1, ..., d_k) flattened to (N, D), w (D, M), b (M,)
- ``relu_forward(x)``, ``relu_backward(dout, cache)``
- ``softmax_loss(scores, y)``: mean cross-entropy and its gradient; scores (N, K), y (N,) in 0..K-1

Images: ``normalize_images(X)``: uint8 images (N, 3, 32, 32) -> float32, each channel shifted and
scaled by fixed constants (CIFAR-10's channel means and standard deviations). Every model of the
course, the challenge's included, receives its images this way.

Checking tools:

- ``rel_error(a, b)``: the largest relative error, max |a - b| / max(1e-8, |a| + |b|)
- ``eval_numerical_gradient(f, x)``: centred differences of a scalar function f(x)
- ``eval_numerical_gradient_array(f, x, dout)``: centred differences of sum(f(x) * dout)

PyTorch helpers (the PyTorch notebook):

- ``random_weight(shape, device=None, dtype=None)``: Kaiming-normal weights, std sqrt(2 / fan_in),
  fan_in = shape[0] for a (D_in, D_out) matrix, prod(shape[1:]) for a conv filter (F, C, HH, WW)
- ``zero_weight(shape, device=None, dtype=None)``: zeros; both with ``requires_grad=True``, on
  ``device`` (default: the GPU when there is one, else the CPU), float32 unless ``dtype`` says
  otherwise
"""
import numpy as np

__all__ = ["normalize_images", "affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss",
           "rel_error", "eval_numerical_gradient", "eval_numerical_gradient_array",
           "random_weight", "zero_weight"]


CHANNEL_MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32)
CHANNEL_STD = np.array([0.2470, 0.2435, 0.2616], dtype=np.float32)


def normalize_images(X):
    """uint8 images of shape (N, 3, H, W) -> float32 (X / 255 - mean) / std per channel."""
    out = np.array(X, dtype=np.float32)   # one new array, then in place: the caller's images are untouched
    out /= 255.0
    out -= CHANNEL_MEAN[:, None, None]
    out /= CHANNEL_STD[:, None, None]
    return out


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------

def affine_forward(x, w, b):
    """out = x.reshape(N, D) @ w + b.

    x: input, of shape (N, d_1, ..., d_k) with D = d_1 * ... * d_k
    w: weights, of shape (D, M)
    b: biases, of shape (M,)
    Returns out, of shape (N, M), and the cache (x, w).
    """
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w)


def affine_backward(dout, cache):
    """Gradients of affine_forward: dout of shape (N, M) -> (dx shaped like x, dw, db)."""
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    """max(0, x) elementwise; the cache is x."""
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    """The upstream gradient where the input was positive, 0 elsewhere."""
    return dout * (cache > 0)


def softmax_loss(scores, y):
    """Mean cross-entropy of softmax(scores) against labels y, and its gradient.

    scores: of shape (N, K); y: integer labels, of shape (N,), values in 0..K-1
    Returns (loss, dscores) with dscores of shape (N, K).
    """
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = scores.shape[0]
    loss = -log_probs[np.arange(n), y].mean()
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    return loss, dscores / n


# ---------------------------------------------------------------------------------------------
# Checking tools
# ---------------------------------------------------------------------------------------------

def rel_error(a, b):
    """The largest elementwise relative error between two arrays of the same shape."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def eval_numerical_gradient(f, x, h=1e-5):
    """Centred-difference gradient of the scalar function f at x (x is perturbed in place and
    restored)."""
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = f(x)
        x[idx] = old - h
        minus = f(x)
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def eval_numerical_gradient_array(f, x, dout, h=1e-5):
    """Centred-difference gradient of sum(f(x) * dout), for an array-valued f."""
    return eval_numerical_gradient(lambda v: float(np.sum(f(v) * dout)), x, h)


# ---------------------------------------------------------------------------------------------
# PyTorch helpers
# ---------------------------------------------------------------------------------------------

def _default_device(device):
    import torch
    if device is not None:
        return device
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def random_weight(shape, device=None, dtype=None):
    """Kaiming-normal weights (std sqrt(2 / fan_in)) with requires_grad=True.

    shape: (D_in, D_out) for a fully connected layer (fan_in = D_in), or (F, C, HH, WW) for a
    convolution (fan_in = C * HH * WW).
    """
    import torch
    fan_in = shape[0] if len(shape) == 2 else int(np.prod(shape[1:]))
    w = torch.randn(shape, device=_default_device(device), dtype=dtype or torch.float32) * np.sqrt(2.0 / fan_in)
    return w.requires_grad_(True)


def zero_weight(shape, device=None, dtype=None):
    """Zeros with requires_grad=True (biases)."""
    import torch
    return torch.zeros(shape, device=_default_device(device), dtype=dtype or torch.float32, requires_grad=True)
