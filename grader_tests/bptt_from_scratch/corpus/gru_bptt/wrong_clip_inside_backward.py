# corpus: gru_bptt
# verdict: wrong
# bug: Every gradient is clipped to [-10, 10] inside the backward pass, so the returned gradients are not the true (unclipped) ones.

def gru_forward(X, params):
    N, T, D = X.shape
    H = params["Uz"].shape[0]
    h = np.zeros((N, H))
    steps = []
    for t in range(T):
        x = X[:, t, :]
        z = sigmoid(x @ params["Wz"] + h @ params["Uz"] + params["bz"])
        r = sigmoid(x @ params["Wr"] + h @ params["Ur"] + params["br"])
        hUn = h @ params["Un"]
        n = np.tanh(x @ params["Wn"] + r * hUn + params["bn"])
        h_new = z * h + (1 - z) * n
        steps.append((x, h, z, r, hUn, n))
        h = h_new
    probs = softmax(h @ params["Wy"] + params["by"])
    return probs, {"steps": steps, "h": h, "probs": probs, "params": params}


def gru_backward(Y, cache):
    steps, h_last, probs, params = cache["steps"], cache["h"], cache["probs"], cache["params"]
    N, K = probs.shape
    dscores = (probs - Y) / N
    grads = {"Wy": h_last.T @ dscores, "by": dscores.sum(axis=0)}
    for k in ("Wz", "Wr", "Wn", "Uz", "Ur", "Un", "bz", "br", "bn"):
        grads[k] = np.zeros_like(params[k])
    dh = dscores @ params["Wy"].T
    for t in reversed(range(len(steps))):
        x, h_prev, z, r, hUn, n = steps[t]
        dn = dh * (1 - z) * (1 - n ** 2)
        dz = dh * (h_prev - n) * z * (1 - z)
        dr = dn * hUn * r * (1 - r)
        dhUn = dn * r
        grads["Wz"] += x.T @ dz
        grads["Wr"] += x.T @ dr
        grads["Wn"] += x.T @ dn
        grads["Uz"] += h_prev.T @ dz
        grads["Ur"] += h_prev.T @ dr
        grads["Un"] += h_prev.T @ dhUn
        grads["bz"] += dz.sum(axis=0)
        grads["br"] += dr.sum(axis=0)
        grads["bn"] += dn.sum(axis=0)
        dh = dh * z + dz @ params["Uz"].T + dr @ params["Ur"].T + dhUn @ params["Un"].T
    grads = {k: np.clip(v, -10, 10) for k, v in grads.items()}
    return grads
