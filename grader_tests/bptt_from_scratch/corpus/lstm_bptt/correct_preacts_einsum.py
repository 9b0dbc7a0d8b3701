# corpus: lstm_bptt
# verdict: correct
# bug: Style: caches pre-activations in (N, T, .) arrays, own logaddexp-based sigmoid recomputed from the pre-activations, per-step deltas stored and the weight gradients summed over time with np.einsum.

def _sig(a):
    return np.exp(-np.logaddexp(0.0, -a))


def lstm_forward(X, params):
    N, T, D = X.shape
    H = params["bf"].shape[0]
    Z = np.zeros((N, T, D + H))
    A = {g: np.zeros((N, T, H)) for g in "fico"}
    C = np.zeros((N, T + 1, H))
    h = np.zeros((N, H))
    for t in range(T):
        Z[:, t, :D] = X[:, t]
        Z[:, t, D:] = h
        for g in "fico":
            A[g][:, t] = Z[:, t] @ params["W" + g] + params["b" + g]
        C[:, t + 1] = _sig(A["f"][:, t]) * C[:, t] + _sig(A["i"][:, t]) * np.tanh(A["c"][:, t])
        h = _sig(A["o"][:, t]) * np.tanh(C[:, t + 1])
    probs = softmax(h @ params["Wy"] + params["by"])
    return probs, dict(Z=Z, A=A, C=C, h=h, probs=probs, params=params)


def lstm_backward(Y, cache):
    Z, A, C, h, probs, params = (cache[k] for k in ("Z", "A", "C", "h", "probs", "params"))
    N, T, DH = Z.shape
    H = C.shape[2]
    D = DH - H
    dscore = (probs - Y) / N
    delta = {g: np.zeros((N, T, H)) for g in "fico"}
    dh = dscore @ params["Wy"].T
    dc = np.zeros((N, H))
    for t in reversed(range(T)):
        f, i, o = _sig(A["f"][:, t]), _sig(A["i"][:, t]), _sig(A["o"][:, t])
        g = np.tanh(A["c"][:, t])
        tc = np.tanh(C[:, t + 1])
        dc = dc + dh * o * (1 - tc ** 2)
        delta["o"][:, t] = dh * tc * o * (1 - o)
        delta["f"][:, t] = dc * C[:, t] * f * (1 - f)
        delta["i"][:, t] = dc * g * i * (1 - i)
        delta["c"][:, t] = dc * i * (1 - g * g)
        dh = sum(delta[k][:, t] @ params["W" + k][D:].T for k in "fico")
        dc = dc * f
    grads = {"Wy": h.T @ dscore, "by": dscore.sum(0)}
    for k in "fico":
        grads["W" + k] = np.einsum("ntj,nth->jh", Z, delta[k])
        grads["b" + k] = delta[k].sum(axis=(0, 1))
    return grads
