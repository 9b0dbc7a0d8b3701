# corpus: lstm_bptt
# verdict: wrong
# bug: The gradient reaching the cell state from h_t is dh * o, missing the factor 1 - tanh(c_t)^2.

def lstm_forward(X, params):
    N, T, D = X.shape
    H = params["Wf"].shape[1]
    h = np.zeros((N, H))
    c = np.zeros((N, H))
    steps = []
    for t in range(T):
        xh = np.concatenate([X[:, t, :], h], axis=1)
        f = sigmoid(xh @ params["Wf"] + params["bf"])
        i = sigmoid(xh @ params["Wi"] + params["bi"])
        g = np.tanh(xh @ params["Wc"] + params["bc"])
        o = sigmoid(xh @ params["Wo"] + params["bo"])
        c_prev = c
        c = f * c_prev + i * g
        h = o * np.tanh(c)
        steps.append({"xh": xh, "f": f, "i": i, "g": g, "o": o, "c_prev": c_prev, "c": c})
    probs = softmax(h @ params["Wy"] + params["by"])
    return probs, (X, params, steps, h, probs)


def lstm_backward(Y, cache):
    X, params, steps, h_last, probs = cache
    N, T, D = X.shape
    H = params["Wf"].shape[1]
    dscores = (probs - Y) / N
    grads = {"Wy": h_last.T @ dscores, "by": dscores.sum(axis=0)}
    for gate in "fico":
        grads["W" + gate] = np.zeros_like(params["W" + gate])
        grads["b" + gate] = np.zeros_like(params["b" + gate])
    dh = dscores @ params["Wy"].T
    dc = np.zeros_like(dh)
    for t in reversed(range(T)):
        s = steps[t]
        tanh_c = np.tanh(s["c"])
        do = dh * tanh_c * s["o"] * (1 - s["o"])
        dc = dc + dh * s["o"]
        df = dc * s["c_prev"] * s["f"] * (1 - s["f"])
        di = dc * s["g"] * s["i"] * (1 - s["i"])
        dg = dc * s["i"] * (1 - s["g"] ** 2)
        dxh = np.zeros_like(s["xh"])
        for gate, d in (("f", df), ("i", di), ("c", dg), ("o", do)):
            grads["W" + gate] += s["xh"].T @ d
            grads["b" + gate] += d.sum(axis=0)
            dxh += d @ params["W" + gate].T
        dh = dxh[:, D:]
        dc = dc * s["f"]
    return grads
