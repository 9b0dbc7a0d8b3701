"""Reference implementations for the `bptt_from_scratch` assignment (SPEC 4.4).

Single source of truth for the graded units of
`source/bptt_from_scratch/bptt_from_scratch.ipynb`; numpy, float64. Each function names the
notebook section (and nbgrader grade_id) it serves. `tests/test_reference_bptt_from_scratch.py`
checks every backward pass against PyTorch autograd.

Shapes: X (N, T, D) sequences, Y (N, K) one-hot labels, probs (N, K). The models are
many-to-one: the class is read from the last hidden state h_T (h_0 = 0, and c_0 = 0 for the
LSTM), probs = softmax(h_T Wy + by). The loss is the mean cross-entropy over the batch,
L = -1/N sum_n log probs[n, y_n]; every backward pass returns the unclipped gradients of L
through all T steps, as a dict with the parameters' keys and shapes.
"""
import numpy as np

RNN_KEYS = ("Wx", "Wh", "b", "Wy", "by")
LSTM_KEYS = ("Wf", "Wi", "Wc", "Wo", "bf", "bi", "bc", "bo", "Wy", "by")
GRU_KEYS = ("Wz", "Wr", "Wn", "Uz", "Ur", "Un", "bz", "br", "bn", "Wy", "by")


def sigmoid(x):
    """Logistic function, written with tanh so that it never overflows (given code)."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def softmax(z):
    """Row-wise softmax (given code)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _output_backward(Y, probs, h_last, params):
    """Gradients of the mean cross-entropy w.r.t. Wy, by and the last hidden state."""
    dz = (probs - Y) / Y.shape[0]
    return {"Wy": h_last.T @ dz, "by": dz.sum(axis=0)}, dz @ params["Wy"].T


def rnn_forward(X, params):
    """Section 1, grade_id `rnn_bptt`: h_t = tanh(x_t Wx + h_{t-1} Wh + b), h_0 = 0;
    probs = softmax(h_T Wy + by). Returns (probs (N, K), cache)."""
    N, T, _ = X.shape
    hs = [np.zeros((N, params["Wh"].shape[0]))]
    for t in range(T):
        hs.append(np.tanh(X[:, t] @ params["Wx"] + hs[-1] @ params["Wh"] + params["b"]))
    probs = softmax(hs[-1] @ params["Wy"] + params["by"])
    return probs, (X, params, hs, probs)


def rnn_backward(Y, cache):
    """Section 1, grade_id `rnn_bptt`: gradients of the mean cross-entropy, through all T steps."""
    X, params, hs, probs = cache
    grads, dh = _output_backward(Y, probs, hs[-1], params)
    dWx, dWh, db = np.zeros_like(params["Wx"]), np.zeros_like(params["Wh"]), np.zeros_like(params["b"])
    for t in reversed(range(X.shape[1])):
        da = dh * (1.0 - hs[t + 1] ** 2)
        dWx += X[:, t].T @ da
        dWh += hs[t].T @ da
        db += da.sum(axis=0)
        dh = da @ params["Wh"].T
    grads.update(Wx=dWx, Wh=dWh, b=db)
    return grads


def lstm_forward(X, params):
    """Section 2, grade_id `lstm_bptt`: each gate acts on the concatenation z_t = [x_t, h_{t-1}]:
    f = sigma(z Wf + bf), i = sigma(z Wi + bi), g = tanh(z Wc + bc), o = sigma(z Wo + bo),
    c_t = f c_{t-1} + i g, h_t = o tanh(c_t); h_0 = c_0 = 0. Returns (probs, cache)."""
    N, T, _ = X.shape
    H = params["bf"].shape[0]
    h, c = np.zeros((N, H)), np.zeros((N, H))
    steps = []
    for t in range(T):
        z = np.concatenate([X[:, t], h], axis=1)
        f = sigmoid(z @ params["Wf"] + params["bf"])
        i = sigmoid(z @ params["Wi"] + params["bi"])
        g = np.tanh(z @ params["Wc"] + params["bc"])
        o = sigmoid(z @ params["Wo"] + params["bo"])
        c_prev, c = c, f * c + i * g
        tc = np.tanh(c)
        h = o * tc
        steps.append((z, f, i, g, o, c_prev, tc))
    probs = softmax(h @ params["Wy"] + params["by"])
    return probs, (X, params, steps, h, probs)


def lstm_backward(Y, cache):
    """Section 2, grade_id `lstm_bptt`: gradients of the mean cross-entropy, through all T steps."""
    X, params, steps, h_last, probs = cache
    D = X.shape[2]
    grads, dh = _output_backward(Y, probs, h_last, params)
    for k in ("Wf", "Wi", "Wc", "Wo", "bf", "bi", "bc", "bo"):
        grads[k] = np.zeros_like(params[k])
    dc = np.zeros_like(dh)
    for z, f, i, g, o, c_prev, tc in reversed(steps):
        do = dh * tc
        dc = dc + dh * o * (1.0 - tc ** 2)
        da = {"f": dc * c_prev * f * (1.0 - f), "i": dc * g * i * (1.0 - i),
              "c": dc * i * (1.0 - g ** 2), "o": do * o * (1.0 - o)}
        dz = np.zeros_like(z)
        for gate, d in da.items():
            grads[f"W{gate}"] += z.T @ d
            grads[f"b{gate}"] += d.sum(axis=0)
            dz += d @ params[f"W{gate}"].T
        dh = dz[:, D:]
        dc = dc * f
    return grads


def gru_forward(X, params):
    """Section 3, grade_id `gru_bptt`: z = sigma(x Wz + h Uz + bz), r = sigma(x Wr + h Ur + br),
    n = tanh(x Wn + r * (h Un) + bn), h_t = z * h_{t-1} + (1 - z) * n; h_0 = 0."""
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
        h = z * h + (1.0 - z) * n
    probs = softmax(h @ params["Wy"] + params["by"])
    return probs, (X, params, steps, h, probs)


def gru_backward(Y, cache):
    """Section 3, grade_id `gru_bptt`: gradients of the mean cross-entropy, through all T steps."""
    X, params, steps, h_last, probs = cache
    grads, dh = _output_backward(Y, probs, h_last, params)
    for k in ("Wz", "Wr", "Wn", "Uz", "Ur", "Un", "bz", "br", "bn"):
        grads[k] = np.zeros_like(params[k])
    for x, h, z, r, hu, n in reversed(steps):
        dn = dh * (1.0 - z) * (1.0 - n ** 2)
        dz = dh * (h - n) * z * (1.0 - z)
        dr = dn * hu * r * (1.0 - r)
        dhu = dn * r
        for gate, d in (("z", dz), ("r", dr), ("n", dn)):
            grads[f"W{gate}"] += x.T @ d
            grads[f"b{gate}"] += d.sum(axis=0)
        grads["Uz"] += h.T @ dz
        grads["Ur"] += h.T @ dr
        grads["Un"] += h.T @ dhu
        dh = dh * z + dz @ params["Uz"].T + dr @ params["Ur"].T + dhu @ params["Un"].T
    return grads


def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    """Section 4, grade_id `momentum_step`: every gradient element clipped to [-clip, clip], then
    v <- momentum * v - lr * g and theta <- theta + v, per key. `velocity` None means zeros.
    Returns new dicts (params, velocity); the inputs are left unchanged."""
    if velocity is None:
        velocity = {k: np.zeros_like(v, dtype=np.float64) for k, v in params.items()}
    new_params, new_velocity = {}, {}
    for k in params:
        v = momentum * velocity[k] - lr * np.clip(grads[k], -clip, clip)
        new_velocity[k] = v
        new_params[k] = params[k] + v
    return new_params, new_velocity


def confusion_matrix(y_true, y_pred, num_classes):
    """Section 5, grade_id `confusion_matrix`: (K, K) int counts, rows actual, columns predicted."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return matrix


def cross_entropy(probs, Y):
    """Mean cross-entropy (given code)."""
    return float(-np.mean(np.log(np.maximum(np.sum(probs * Y, axis=1), 1e-300))))


def train_recurrent(forward, backward, params, X, Y, lr, momentum, batch_size, max_epochs, rng,
                    val_fraction=0.1, patience=3):
    """Section 6, grade_id `train_recurrent`: mini-batch training with momentum and early stopping.

    int(val_fraction * N) samples chosen with `rng` are held out for validation; each epoch
    visits the remaining samples in a fresh order drawn from `rng`, in mini-batches of
    batch_size (the last may be smaller), each followed by a `momentum_step` (velocity kept
    across batches and epochs). After each epoch the validation cross-entropy and accuracy are
    recorded; training stops once the validation loss has not improved (strictly) for
    `patience` epochs, or after max_epochs. Returns (params of the best epoch, history) with
    history['train_loss'] (mean cross-entropy of the epoch's mini-batches, from their forward
    passes), history['val_loss'], history['val_acc'] (fraction in [0, 1]), one entry per epoch.
    """
    n = len(X)
    n_val = int(val_fraction * n)
    order = rng.permutation(n)
    X_val, Y_val = X[order[:n_val]], Y[order[:n_val]]
    X_tr, Y_tr = X[order[n_val:]], Y[order[n_val:]]
    history = {"train_loss": [], "val_loss": [], "val_acc": []}
    best, best_loss, waited, velocity = params, np.inf, 0, None
    for _ in range(max_epochs):
        perm = rng.permutation(len(X_tr))
        total = 0.0
        for start in range(0, len(X_tr), batch_size):
            idx = perm[start:start + batch_size]
            probs, cache = forward(X_tr[idx], params)
            total += cross_entropy(probs, Y_tr[idx]) * len(idx)
            params, velocity = momentum_step(params, backward(Y_tr[idx], cache), velocity, lr, momentum)
        probs_val, _ = forward(X_val, params)
        val_loss = cross_entropy(probs_val, Y_val)
        history["train_loss"].append(total / len(X_tr))
        history["val_loss"].append(val_loss)
        history["val_acc"].append(float(np.mean(probs_val.argmax(1) == Y_val.argmax(1))))
        if val_loss < best_loss:
            best, best_loss, waited = params, val_loss, 0
        else:
            waited += 1
            if waited >= patience:
                break
    return best, history
