"""Given helpers for the `bptt_from_scratch` assignment (the notebook imports them).

This file is self-contained (numpy and matplotlib only): the course keeps it in ``handouts/``
and ships a copy beside the notebook (``from bptt_helpers import ...``). Autograde restores the
course's copy, and the grader runs the course's copy, never a student's edited one.

Shapes: X of shape (N, T, D) (N sequences of T steps of D features), Y one-hot of shape (N, K),
probs of shape (N, K) (each row sums to 1).

- ``sigmoid(x)``: the logistic function, written with tanh so that it never overflows
- ``softmax(z)``: row-wise softmax of scores z of shape (N, K), shifted by the row maximum
- ``cross_entropy(probs, Y)``: the mean over the N samples of -log(probability of the true class)
- ``accuracy(probs, Y)``: the fraction of rows whose largest probability is the true class
- ``init_params(model, D, H, K, rng)``: Xavier-uniform weights and zero biases for 'rnn',
  'lstm' or 'gru' (the parameter dicts of the notebook's sections 1-3), drawn from the numpy
  Generator ``rng``
- ``rel_error(a, b)``: the largest relative error, max |a - b| / max(1e-8, |a| + |b|)
- ``eval_numerical_gradient(f, x)``: centred differences of a scalar function f() with respect to
  the array x (perturbed in place and restored)
- ``gradient_check(forward, backward, model)``: {parameter: relative error} between your
  gradients and finite differences of your forward pass on a tiny random case
- ``plot_histories(histories)``, ``plot_confusion(matrix, labels, title)``: the training curves
  and a confusion matrix (rows actual, columns predicted)
"""
import numpy as np

__all__ = ["sigmoid", "softmax", "cross_entropy", "accuracy", "init_params", "rel_error",
           "eval_numerical_gradient", "gradient_check", "plot_histories", "plot_confusion", "ACTIVITIES"]

ACTIVITIES = ("downstairs", "jogging", "sitting", "standing", "upstairs", "walking")


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), written with tanh so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def softmax(z):
    """Row-wise softmax of scores z of shape (N, K)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(probs, Y):
    """Mean over the N rows of -log(probs[n, true class]); Y one-hot of shape (N, K)."""
    p = np.sum(probs * Y, axis=1)
    return float(-np.mean(np.log(np.maximum(p, 1e-300))))


def accuracy(probs, Y):
    """Fraction of rows whose largest probability is the true class."""
    return float(np.mean(np.argmax(probs, axis=1) == np.argmax(Y, axis=1)))


def _xavier(rng, fan_in, fan_out, shape):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def init_params(model, D, H, K, rng):
    """Xavier-uniform weights (bound sqrt(6 / (fan_in + fan_out))) and zero biases.

    model 'rnn': Wx (D, H), Wh (H, H), b (H,); 'lstm': Wf, Wi, Wc, Wo (D + H, H), bf, bi, bc, bo
    (H,); 'gru': Wz, Wr, Wn (D, H), Uz, Ur, Un (H, H), bz, br, bn (H,); every model also has the
    output layer Wy (H, K), by (K,).
    """
    if model == "rnn":
        params = {"Wx": _xavier(rng, D, H, (D, H)), "Wh": _xavier(rng, H, H, (H, H)), "b": np.zeros(H)}
    elif model == "lstm":
        params = {}
        for gate in "fico":
            params[f"W{gate}"] = _xavier(rng, D + H, H, (D + H, H))
            params[f"b{gate}"] = np.zeros(H)
        params["bf"] = np.ones(H)   # a forget gate open at the start helps long sequences
    elif model == "gru":
        params = {}
        for gate in "zrn":
            params[f"W{gate}"] = _xavier(rng, D, H, (D, H))
            params[f"U{gate}"] = _xavier(rng, H, H, (H, H))
            params[f"b{gate}"] = np.zeros(H)
    else:
        raise ValueError(f"unknown model {model!r}: 'rnn', 'lstm' or 'gru'")
    params["Wy"] = _xavier(rng, H, K, (H, K))
    params["by"] = np.zeros(K)
    return params


def rel_error(a, b):
    """The largest relative error max |a - b| / max(1e-8, |a| + |b|)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def eval_numerical_gradient(f, x, h=1e-5):
    """Centred differences of the scalar function f() with respect to the array x, which is
    perturbed in place one element at a time and restored: f must read x anew on every call."""
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = f()
        x[idx] = old - h
        minus = f()
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def plot_histories(histories):
    """histories: {model name: history dict with 'train_loss', 'val_loss', 'val_acc'}."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    for name, history in histories.items():
        epochs = np.arange(1, len(history["val_loss"]) + 1)
        line, = axes[0].plot(epochs, history["train_loss"], "--", alpha=0.7)
        axes[0].plot(epochs, history["val_loss"], "-", color=line.get_color(), label=name)
        axes[1].plot(epochs, history["val_acc"], "-o", color=line.get_color(), label=name, ms=3)
    axes[0].set(xlabel="epoch", ylabel="cross-entropy", title="training (dashed) and validation loss")
    axes[1].set(xlabel="epoch", ylabel="accuracy", title="validation accuracy", ylim=(0, 1))
    for ax in axes:
        ax.legend()
    fig.tight_layout()
    plt.show()


def plot_confusion(matrix, labels=ACTIVITIES, title=""):
    """A confusion matrix (rows: actual class, columns: predicted class) with its counts."""
    import matplotlib.pyplot as plt
    matrix = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(4.6, 4))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center",
                color="white" if count > matrix.max() / 2 else "black", fontsize=8)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set(xlabel="predicted", ylabel="actual", title=title)
    fig.tight_layout()
    plt.show()


def gradient_check(forward, backward, model, N=3, T=4, D=2, H=3, K=3, seed=1):
    """{parameter: relative error} between backward's gradients and centred differences of the
    mean cross-entropy of forward, on a tiny random case of `model` ('rnn', 'lstm' or 'gru')."""
    rng = np.random.default_rng(seed)
    params = {k: v + 0.3 * rng.standard_normal(np.shape(v)) for k, v in init_params(model, D, H, K, rng).items()}
    X = rng.standard_normal((N, T, D))
    Y = np.eye(K)[rng.integers(0, K, N)]
    grads = backward(Y, forward(X, params)[1])
    return {key: rel_error(grads[key], eval_numerical_gradient(lambda: cross_entropy(forward(X, params)[0], Y),
                                                               params[key]))
            for key in params}
