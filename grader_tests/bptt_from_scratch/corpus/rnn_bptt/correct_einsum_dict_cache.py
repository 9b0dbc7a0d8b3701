# corpus: rnn_bptt
# verdict: correct
# bug: Style: input projections precomputed with np.einsum, hidden states in one (N, T+1, H) array, cache as a dict, weight gradients summed with einsum after the loop.

def rnn_forward(X, params):
    N, T, D = X.shape
    H = params["Wh"].shape[0]
    proj = np.einsum("ntd,dh->nth", X, params["Wx"]) + params["b"]
    hs = np.zeros((N, T + 1, H))
    for t in range(T):
        hs[:, t + 1] = np.tanh(proj[:, t] + hs[:, t] @ params["Wh"])
    probs = softmax(hs[:, T] @ params["Wy"] + params["by"])
    cache = {"X": X, "hs": hs, "probs": probs, "params": params}
    return probs, cache


def rnn_backward(Y, cache):
    X, hs, probs, params = cache["X"], cache["hs"], cache["probs"], cache["params"]
    N, T, D = X.shape
    dscores = (probs - Y) / N
    grads = {"Wy": np.einsum("nh,nk->hk", hs[:, T], dscores), "by": dscores.sum(axis=0)}
    dh = dscores @ params["Wy"].T
    das = np.zeros_like(hs[:, 1:])
    for t in range(T - 1, -1, -1):
        das[:, t] = dh * (1 - hs[:, t + 1] ** 2)
        dh = das[:, t] @ params["Wh"].T
    grads["Wx"] = np.einsum("ntd,nth->dh", X, das)
    grads["Wh"] = np.einsum("ntg,nth->gh", hs[:, :T], das)
    grads["b"] = das.sum(axis=(0, 1))
    return grads
