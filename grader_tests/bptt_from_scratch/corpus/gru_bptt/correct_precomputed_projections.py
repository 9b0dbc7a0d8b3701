# corpus: gru_bptt
# verdict: correct
# bug: Style: the input projections x Wz, x Wr, x Wn precomputed for all steps with np.einsum, deltas kept in (N, T, H) arrays, every weight gradient summed over time with einsum after the loop.

def gru_forward(X, params):
    N, T, D = X.shape
    H = params["Uz"].shape[0]
    P = {g: np.einsum("ntd,dh->nth", X, params["W" + g]) + params["b" + g] for g in "zrn"}
    Hs = np.zeros((N, T + 1, H))
    Z, R, HU, Nc = (np.zeros((N, T, H)) for _ in range(4))
    for t in range(T):
        h = Hs[:, t]
        Z[:, t] = sigmoid(P["z"][:, t] + h @ params["Uz"])
        R[:, t] = sigmoid(P["r"][:, t] + h @ params["Ur"])
        HU[:, t] = h @ params["Un"]
        Nc[:, t] = np.tanh(P["n"][:, t] + R[:, t] * HU[:, t])
        Hs[:, t + 1] = Z[:, t] * h + (1 - Z[:, t]) * Nc[:, t]
    probs = softmax(Hs[:, T] @ params["Wy"] + params["by"])
    return probs, {"X": X, "Hs": Hs, "Z": Z, "R": R, "HU": HU, "N": Nc, "probs": probs, "params": params}


def gru_backward(Y, cache):
    X, Hs, Z, R, HU, Nc, probs, params = (cache[k] for k in ("X", "Hs", "Z", "R", "HU", "N", "probs", "params"))
    N, T, D = X.shape
    dout = (probs - Y) / N
    dA = {g: np.zeros_like(Z) for g in "zrn"}
    dHU = np.zeros_like(Z)
    dh = dout @ params["Wy"].T
    for t in reversed(range(T)):
        z, r, n, h = Z[:, t], R[:, t], Nc[:, t], Hs[:, t]
        dA["n"][:, t] = dh * (1 - z) * (1 - n ** 2)
        dA["z"][:, t] = dh * (h - n) * z * (1 - z)
        dHU[:, t] = dA["n"][:, t] * r
        dA["r"][:, t] = dA["n"][:, t] * HU[:, t] * r * (1 - r)
        dh = (dh * z + dA["z"][:, t] @ params["Uz"].T + dA["r"][:, t] @ params["Ur"].T
              + dHU[:, t] @ params["Un"].T)
    Hprev = Hs[:, :T]
    grads = {"Wy": Hs[:, T].T @ dout, "by": dout.sum(axis=0)}
    for g in "zrn":
        grads["W" + g] = np.einsum("ntd,nth->dh", X, dA[g])
        grads["b" + g] = dA[g].sum(axis=(0, 1))
    grads["Uz"] = np.einsum("ntk,nth->kh", Hprev, dA["z"])
    grads["Ur"] = np.einsum("ntk,nth->kh", Hprev, dA["r"])
    grads["Un"] = np.einsum("ntk,nth->kh", Hprev, dHU)
    return grads
