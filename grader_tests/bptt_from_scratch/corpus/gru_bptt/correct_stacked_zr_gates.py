# corpus: gru_bptt
# verdict: correct
# bug: Style: z and r computed together from stacked [Wz | Wr] and [Uz | Ur] matrices, their gradients split back with np.hsplit, cache as a tuple of lists.

def gru_forward(X, params):
    N, T, D = X.shape
    H = params["Un"].shape[0]
    Wzr = np.hstack([params["Wz"], params["Wr"]])
    Uzr = np.hstack([params["Uz"], params["Ur"]])
    bzr = np.concatenate([params["bz"], params["br"]])
    h = np.zeros((N, H))
    xs, hs, zrs, hus, ns = [], [], [], [], []
    for t in range(T):
        x = X[:, t]
        zr = sigmoid(x @ Wzr + h @ Uzr + bzr)
        hu = h @ params["Un"]
        n = np.tanh(x @ params["Wn"] + zr[:, H:] * hu + params["bn"])
        xs.append(x); hs.append(h); zrs.append(zr); hus.append(hu); ns.append(n)
        h = zr[:, :H] * h + (1 - zr[:, :H]) * n
    probs = softmax(h @ params["Wy"] + params["by"])
    return probs, (xs, hs, zrs, hus, ns, h, probs, params, Uzr)


def gru_backward(Y, cache):
    xs, hs, zrs, hus, ns, h_T, probs, params, Uzr = cache
    N = len(Y)
    H = h_T.shape[1]
    dlogits = (probs - Y) / N
    dWzr, dUzr, dbzr = np.zeros((xs[0].shape[1], 2 * H)), np.zeros((H, 2 * H)), np.zeros(2 * H)
    dWn, dUn, dbn = np.zeros_like(params["Wn"]), np.zeros_like(params["Un"]), np.zeros_like(params["bn"])
    dh = dlogits @ params["Wy"].T
    for t in range(len(xs) - 1, -1, -1):
        x, h, zr, hu, n = xs[t], hs[t], zrs[t], hus[t], ns[t]
        z, r = zr[:, :H], zr[:, H:]
        da_n = dh * (1 - z) * (1 - n * n)
        da_zr = np.hstack([dh * (h - n), da_n * hu]) * zr * (1 - zr)
        dWzr += x.T @ da_zr
        dUzr += h.T @ da_zr
        dbzr += da_zr.sum(0)
        dWn += x.T @ da_n
        dUn += h.T @ (da_n * r)
        dbn += da_n.sum(0)
        dh = dh * z + da_zr @ Uzr.T + (da_n * r) @ params["Un"].T
    grads = {"Wy": h_T.T @ dlogits, "by": dlogits.sum(0), "Wn": dWn, "Un": dUn, "bn": dbn}
    grads["Wz"], grads["Wr"] = np.hsplit(dWzr, 2)
    grads["Uz"], grads["Ur"] = np.hsplit(dUzr, 2)
    grads["bz"], grads["br"] = np.split(dbzr, 2)
    return grads
