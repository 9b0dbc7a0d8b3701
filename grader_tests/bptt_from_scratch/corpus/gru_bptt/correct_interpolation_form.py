# corpus: gru_bptt
# verdict: correct
# bug: Style: the update written as h_t = n + z * (h_{t-1} - n), the chain rule spelled out through named intermediate gradients, per-sample loop for the weight outer products, cache as a list of dicts.

def gru_forward(X, params):
    N, T, D = X.shape
    H = params["Uz"].shape[0]
    h = np.zeros((N, H))
    cache = []
    for t in range(T):
        x = X[:, t, :]
        z = sigmoid(np.dot(x, params["Wz"]) + np.dot(h, params["Uz"]) + params["bz"])
        r = sigmoid(np.dot(x, params["Wr"]) + np.dot(h, params["Ur"]) + params["br"])
        hu = np.dot(h, params["Un"])
        n = np.tanh(np.dot(x, params["Wn"]) + r * hu + params["bn"])
        cache.append({"x": x, "h_prev": h, "z": z, "r": r, "hu": hu, "n": n})
        h = n + z * (h - n)
    probs = softmax(np.dot(h, params["Wy"]) + params["by"])
    cache.append({"h_last": h, "probs": probs, "params": params})
    return probs, cache


def gru_backward(Y, cache):
    last = cache[-1]
    h_last, probs, params = last["h_last"], last["probs"], last["params"]
    N = probs.shape[0]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dscore = (probs - Y) / N
    grads["Wy"] = np.dot(h_last.T, dscore)
    grads["by"] = np.sum(dscore, axis=0)
    dh = np.dot(dscore, params["Wy"].T)
    for step in reversed(cache[:-1]):
        x, h_prev, z, r, hu, n = (step[k] for k in ("x", "h_prev", "z", "r", "hu", "n"))
        d_n = dh * (1 - z)
        d_z = dh * (h_prev - n)
        d_hprev = dh * z
        d_an = d_n * (1 - n ** 2)
        d_az = d_z * z * (1 - z)
        d_r = d_an * hu
        d_hu = d_an * r
        d_ar = d_r * r * (1 - r)
        for m in range(N):
            for gate, d in (("z", d_az), ("r", d_ar), ("n", d_an)):
                grads["W" + gate] += np.outer(x[m], d[m])
            grads["Uz"] += np.outer(h_prev[m], d_az[m])
            grads["Ur"] += np.outer(h_prev[m], d_ar[m])
            grads["Un"] += np.outer(h_prev[m], d_hu[m])
        grads["bz"] += d_az.sum(axis=0)
        grads["br"] += d_ar.sum(axis=0)
        grads["bn"] += d_an.sum(axis=0)
        dh = (d_hprev + np.dot(d_az, params["Uz"].T) + np.dot(d_ar, params["Ur"].T)
              + np.dot(d_hu, params["Un"].T))
    return grads
