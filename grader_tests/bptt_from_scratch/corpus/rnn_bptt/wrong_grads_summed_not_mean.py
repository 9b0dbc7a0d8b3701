# corpus: rnn_bptt
# verdict: wrong
# bug: The output gradient is probs - Y without the 1/N, so every gradient is the sum over the batch instead of the gradient of the mean cross-entropy.

def rnn_forward(X, params):
    N, T, D = X.shape
    H = params["Wh"].shape[0]
    hs = [np.zeros((N, H))]
    for t in range(T):
        a = X[:, t, :] @ params["Wx"] + hs[-1] @ params["Wh"] + params["b"]
        hs.append(np.tanh(a))
    scores = hs[-1] @ params["Wy"] + params["by"]
    probs = softmax(scores)
    cache = (X, hs, probs, params)
    return probs, cache


def rnn_backward(Y, cache):
    X, hs, probs, params = cache
    N, T, D = X.shape
    dscores = probs - Y
    grads = {}
    grads["Wy"] = hs[-1].T @ dscores
    grads["by"] = dscores.sum(axis=0)
    grads["Wx"] = np.zeros_like(params["Wx"])
    grads["Wh"] = np.zeros_like(params["Wh"])
    grads["b"] = np.zeros_like(params["b"])
    dh = dscores @ params["Wy"].T
    for t in reversed(range(T)):
        da = dh * (1 - hs[t + 1] ** 2)
        grads["Wx"] += X[:, t, :].T @ da
        grads["Wh"] += hs[t].T @ da
        grads["b"] += da.sum(axis=0)
        dh = da @ params["Wh"].T
    return grads
