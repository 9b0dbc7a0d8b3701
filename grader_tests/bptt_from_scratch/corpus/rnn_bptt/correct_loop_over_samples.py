# corpus: rnn_bptt
# verdict: correct
# bug: Style: forward and backward loop over the samples one at a time with np.outer, cache as a tuple of lists.

def rnn_forward(X, params):
    N, T, D = X.shape
    H = params["Wh"].shape[0]
    all_h = []
    probs = np.zeros((N, params["Wy"].shape[1]))
    for n in range(N):
        h = np.zeros(H)
        seq = [h]
        for t in range(T):
            h = np.tanh(X[n, t] @ params["Wx"] + h @ params["Wh"] + params["b"])
            seq.append(h)
        all_h.append(seq)
        s = h @ params["Wy"] + params["by"]
        e = np.exp(s - s.max())
        probs[n] = e / e.sum()
    return probs, (X, all_h, probs, params)


def rnn_backward(Y, cache):
    X, all_h, probs, params = cache
    N, T, D = X.shape
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    for n in range(N):
        seq = all_h[n]
        dy = (probs[n] - Y[n]) / N
        grads["Wy"] += np.outer(seq[T], dy)
        grads["by"] += dy
        dh = params["Wy"] @ dy
        for t in range(T, 0, -1):
            da = dh * (1 - seq[t] * seq[t])
            grads["Wx"] += np.outer(X[n, t - 1], da)
            grads["Wh"] += np.outer(seq[t - 1], da)
            grads["b"] += da
            dh = params["Wh"] @ da
    return grads
