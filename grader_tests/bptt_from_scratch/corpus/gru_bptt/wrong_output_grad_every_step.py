# corpus: gru_bptt
# verdict: wrong
# bug: The output-layer gradient dscores @ Wy.T is added to dh at every time step instead of only at the last one.

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
    dout = dscores @ params["Wy"].T
    dh_next = np.zeros_like(dout)
    for t in reversed(range(len(steps))):
        x, h_prev, z, r, hUn, n = steps[t]
        dh = dout + dh_next
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
        dh_next = dh * z + dz @ params["Uz"].T + dr @ params["Ur"].T + dhUn @ params["Un"].T
    return grads
