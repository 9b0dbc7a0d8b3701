# corpus: rnn_bptt
# verdict: correct
# bug: Style: caches the pre-activations and recomputes tanh' as 1 - tanh(a)^2, index-based softmax gradient, dict of per-step states keyed by t (h[-1] = h_0).

def rnn_forward(X, params):
    Wx, Wh, b, Wy, by = (params[k] for k in ("Wx", "Wh", "b", "Wy", "by"))
    N, T, _ = X.shape
    h = {-1: np.zeros((N, Wh.shape[0]))}
    a = {}
    for t in range(T):
        a[t] = np.dot(X[:, t, :], Wx) + np.dot(h[t - 1], Wh) + b
        h[t] = np.tanh(a[t])
    probs = softmax(np.dot(h[T - 1], Wy) + by)
    return probs, {"X": X, "a": a, "h": h, "probs": probs, "params": params, "T": T}


def rnn_backward(Y, cache):
    X, a, h, probs, params, T = (cache[k] for k in ("X", "a", "h", "probs", "params", "T"))
    N = X.shape[0]
    d = probs.copy()
    d[np.arange(N), np.argmax(Y, axis=1)] -= 1
    d /= N
    dWy = np.dot(h[T - 1].T, d)
    dby = np.sum(d, axis=0)
    dWx = np.zeros_like(params["Wx"])
    dWh = np.zeros_like(params["Wh"])
    db = np.zeros_like(params["b"])
    dh = np.dot(d, params["Wy"].T)
    for t in range(T - 1, -1, -1):
        da = dh * (1 - np.tanh(a[t]) ** 2)
        dWx += np.dot(X[:, t, :].T, da)
        dWh += np.dot(h[t - 1].T, da)
        db += np.sum(da, axis=0)
        dh = np.dot(da, params["Wh"].T)
    return {"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}
