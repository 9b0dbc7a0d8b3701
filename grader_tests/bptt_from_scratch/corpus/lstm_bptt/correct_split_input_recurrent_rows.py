# corpus: lstm_bptt
# verdict: correct
# bug: Style: each gate matrix split into its input rows W[:D] and recurrent rows W[D:] (no concatenation), gradients rebuilt with np.vstack, cache as a dict of per-step lists.

def lstm_forward(X, params):
    N, T, D = X.shape
    H = params["bf"].shape[0]
    Wx = {g: params["W" + g][:D] for g in "fico"}
    Wh = {g: params["W" + g][D:] for g in "fico"}
    act = {"f": sigmoid, "i": sigmoid, "c": np.tanh, "o": sigmoid}
    cache = {"x": [], "h": [np.zeros((N, H))], "c": [np.zeros((N, H))], "gates": [], "params": params, "D": D}
    for t in range(T):
        x, h_prev, c_prev = X[:, t], cache["h"][-1], cache["c"][-1]
        gates = {g: act[g](x @ Wx[g] + h_prev @ Wh[g] + params["b" + g]) for g in "fico"}
        c = gates["f"] * c_prev + gates["i"] * gates["c"]
        cache["x"].append(x)
        cache["gates"].append(gates)
        cache["c"].append(c)
        cache["h"].append(gates["o"] * np.tanh(c))
    probs = softmax(cache["h"][-1] @ params["Wy"] + params["by"])
    cache["probs"] = probs
    return probs, cache


def lstm_backward(Y, cache):
    params, D, probs = cache["params"], cache["D"], cache["probs"]
    N = probs.shape[0]
    T = len(cache["x"])
    dy = (probs - Y) / N
    grads = {"Wy": cache["h"][T].T @ dy, "by": np.sum(dy, axis=0)}
    dWx = {g: np.zeros_like(params["W" + g][:D]) for g in "fico"}
    dWh = {g: np.zeros_like(params["W" + g][D:]) for g in "fico"}
    dbs = {g: np.zeros_like(params["b" + g]) for g in "fico"}
    dh = dy @ params["Wy"].T
    dc_next = np.zeros_like(dh)
    for t in range(T - 1, -1, -1):
        G = cache["gates"][t]
        c, c_prev, h_prev, x = cache["c"][t + 1], cache["c"][t], cache["h"][t], cache["x"][t]
        tanh_c = np.tanh(c)
        dc = dc_next + dh * G["o"] * (1 - tanh_c * tanh_c)
        pre = {"o": dh * tanh_c * G["o"] * (1 - G["o"]),
               "f": dc * c_prev * G["f"] * (1 - G["f"]),
               "i": dc * G["c"] * G["i"] * (1 - G["i"]),
               "c": dc * G["i"] * (1 - G["c"] * G["c"])}
        dh = np.zeros_like(dh)
        for g in "fico":
            dWx[g] += x.T @ pre[g]
            dWh[g] += h_prev.T @ pre[g]
            dbs[g] += pre[g].sum(axis=0)
            dh += pre[g] @ params["W" + g][D:].T
        dc_next = dc * G["f"]
    for g in "fico":
        grads["W" + g] = np.vstack([dWx[g], dWh[g]])
        grads["b" + g] = dbs[g]
    return grads
