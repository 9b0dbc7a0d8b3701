"""Reference implementations for the `sparse_autoencoder` assignment (SPEC 4.2).

Single source of truth for the graded units of
`source/sparse_autoencoder/sparse_autoencoder.ipynb`. numpy, float64. Each function names the
notebook section (and nbgrader grade_id) it serves. `ae_cost_torch` evaluates the same cost in
PyTorch and takes its gradients with autograd: the grader's judge uses it (CUDA when available),
and `tests/test_reference_sparse_autoencoder.py` checks `ae_cost` against it.

Shapes: data (N, L_in) rows are samples; W1 (L_in, L_hid), b1 (L_hid,), W2 (L_hid, L_in),
b2 (L_in,); hidden h = sigmoid(data W1 + b1), output o = sigmoid(h W2 + b2).
"""
import math

import numpy as np

LUMA = (0.2126, 0.7152, 0.0722)     # Rec. 709 luminosity weights of R, G, B
KEYS = ("W1", "b1", "W2", "b2")


def sigmoid(x):
    """Logistic function, written with tanh so that it never overflows (given code, section 0)."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def preprocess(data):
    """Section 2, grade_id `preprocess`: (N, 3, 16, 16) RGB in [0, 1] -> (N, 16, 16) float64.

    Y = 0.2126 R + 0.7152 G + 0.0722 B; each image minus its own mean; sigma = std (ddof=0) of
    all mean-subtracted pixels of the batch; clip to +-3 sigma; map [-3 sigma, 3 sigma] linearly
    onto [0.1, 0.9]. The input is not modified.
    """
    data = np.asarray(data, dtype=np.float64)
    y = LUMA[0] * data[:, 0] + LUMA[1] * data[:, 1] + LUMA[2] * data[:, 2]
    y = y - y.mean(axis=(1, 2), keepdims=True)
    bound = 3.0 * y.std()
    y = np.clip(y, -bound, bound)
    return 0.1 + 0.8 * (y + bound) / (2.0 * bound)


def init_weights(L_in, L_hid, rng):
    """Section 3, grade_id `init_weights`: every array uniform in +-sqrt(6 / (L_pre + L_post))
    of its layer (both layers connect L_in and L_hid units), drawn from the Generator `rng`."""
    r = math.sqrt(6.0 / (L_in + L_hid))
    return {"W1": rng.uniform(-r, r, size=(L_in, L_hid)),
            "b1": rng.uniform(-r, r, size=L_hid),
            "W2": rng.uniform(-r, r, size=(L_hid, L_in)),
            "b2": rng.uniform(-r, r, size=L_in)}


def ae_cost(We, data, params):
    """Section 4, grade_id `ae_cost`: (J, grads) of the sparse autoencoder cost

        J = 1/(2N) sum ||d - o||^2 + lambda/2 (sum W1^2 + sum W2^2) + beta sum_b KL(rho || rho_hat_b)

    rho_hat_b the mean activation of hidden unit b over the batch; biases are not regularised.
    """
    W1, b1, W2, b2 = We["W1"], We["b1"], We["W2"], We["b2"]
    lam, beta, rho = params["lambda"], params["beta"], params["rho"]
    n = data.shape[0]
    h = sigmoid(data @ W1 + b1)
    o = sigmoid(h @ W2 + b2)
    rho_hat = h.mean(axis=0)
    err = o - data
    kl = rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))
    J = (np.sum(err ** 2) / (2 * n) + 0.5 * lam * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
         + beta * np.sum(kl))
    delta_out = err * o * (1 - o) / n                           # dJ/d(output pre-activation)
    sparsity = beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat)) / n
    delta_hid = (delta_out @ W2.T + sparsity) * h * (1 - h)     # dJ/d(hidden pre-activation)
    grads = {"W1": data.T @ delta_hid + lam * W1, "b1": delta_hid.sum(axis=0),
             "W2": h.T @ delta_out + lam * W2, "b2": delta_out.sum(axis=0)}
    return float(J), grads


def train_autoencoder(data, params, learning_rate, batch_size, epochs, rng):
    """Section 5, grade_id `train_autoencoder`: mini-batch gradient descent on `ae_cost`.

    Weights from init_weights(L_in, L_hid, rng); each epoch a fresh permutation from `rng`,
    batches of `batch_size` in that order (the last one may be smaller); after each epoch's
    updates, J of the whole data is appended to the history. Returns (We, loss_history).
    """
    n, l_in = data.shape
    We = init_weights(l_in, params["L_hid"], rng)
    history = []
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            _, grads = ae_cost(We, data[order[start:start + batch_size]], params)
            We = {k: We[k] - learning_rate * grads[k] for k in We}
        history.append(ae_cost(We, data, params)[0])
    return We, history


# ---------------------------------------------------------------------------------------------
# PyTorch versions (the judge's reference, on CUDA when available; autograd gives the gradients)
# ---------------------------------------------------------------------------------------------

def default_device():
    import torch
    return "cuda" if torch.cuda.is_available() else "cpu"


def preprocess_torch(data, device=None):
    """`preprocess` in PyTorch float64 on `device`; returns a numpy array."""
    import torch

    x = torch.as_tensor(np.asarray(data, dtype=np.float64), device=device or default_device())
    y = LUMA[0] * x[:, 0] + LUMA[1] * x[:, 1] + LUMA[2] * x[:, 2]
    y = y - y.mean(dim=(1, 2), keepdim=True)
    bound = 3.0 * y.std(correction=0)
    y = torch.clamp(y, -bound, bound)
    return (0.1 + 0.8 * (y + bound) / (2.0 * bound)).cpu().numpy()


# ---------------------------------------------------------------------------------------------
# PyTorch version of the cost (the judge's reference; autograd gives the gradients)
# ---------------------------------------------------------------------------------------------

def ae_cost_torch(We, data, params, device=None):
    """J and its autograd gradients, float64, on `device` (CUDA when available by default).

    Returns (J as a float, {key: numpy array}).
    """
    import torch

    device = device or default_device()
    t = {k: torch.as_tensor(np.asarray(We[k], dtype=np.float64), device=device).requires_grad_(True)
         for k in KEYS}
    d = torch.as_tensor(np.asarray(data, dtype=np.float64), device=device)
    lam, beta, rho = (float(params[k]) for k in ("lambda", "beta", "rho"))
    h = torch.sigmoid(d @ t["W1"] + t["b1"])
    o = torch.sigmoid(h @ t["W2"] + t["b2"])
    rho_hat = h.mean(dim=0)
    kl = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
    J = (((d - o) ** 2).sum() / (2 * d.shape[0])
         + 0.5 * lam * ((t["W1"] ** 2).sum() + (t["W2"] ** 2).sum()) + beta * kl.sum())
    J.backward()
    return float(J.item()), {k: t[k].grad.detach().cpu().numpy() for k in KEYS}
