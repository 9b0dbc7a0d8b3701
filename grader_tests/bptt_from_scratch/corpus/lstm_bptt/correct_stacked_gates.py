# corpus: lstm_bptt
# verdict: correct
# bug: Style: the four gate matrices stacked into one (D + H, 4H) matrix for a single matmul per step, the stacked gradient split back with np.split, cache as a tuple.

GATES = ("f", "i", "c", "o")


def lstm_forward(X, params):
    N, T, D = X.shape
    H = params["bf"].shape[0]
    W = np.concatenate([params["W" + g] for g in GATES], axis=1)
    b = np.concatenate([params["b" + g] for g in GATES])
    h = np.zeros((N, H))
    c = np.zeros((N, H))
    hist = []
    for t in range(T):
        z = np.hstack([X[:, t], h])
        A = z @ W + b
        f, i, o = sigmoid(A[:, :H]), sigmoid(A[:, H:2 * H]), sigmoid(A[:, 3 * H:])
        g = np.tanh(A[:, 2 * H:3 * H])
        c_new = f * c + i * g
        h = o * np.tanh(c_new)
        hist.append((z, f, i, g, o, c, c_new))
        c = c_new
    probs = softmax(h @ params["Wy"] + params["by"])
    return probs, (W, hist, h, probs, params, D, H)


def lstm_backward(Y, cache):
    W, hist, h, probs, params, D, H = cache
    N = Y.shape[0]
    dout = (probs - Y) / N
    dW = np.zeros_like(W)
    db = np.zeros(W.shape[1])
    dh = dout @ params["Wy"].T
    dc = np.zeros((N, H))
    for z, f, i, g, o, c_prev, c in hist[::-1]:
        tc = np.tanh(c)
        dc += dh * o * (1 - tc ** 2)
        dA = np.hstack([dc * c_prev * f * (1 - f),
                        dc * g * i * (1 - i),
                        dc * i * (1 - g ** 2),
                        dh * tc * o * (1 - o)])
        dW += z.T @ dA
        db += dA.sum(axis=0)
        dh = (dA @ W.T)[:, D:]
        dc = dc * f
    grads = {"Wy": h.T @ dout, "by": dout.sum(axis=0)}
    for g, dWg, dbg in zip(GATES, np.split(dW, 4, axis=1), np.split(db, 4)):
        grads["W" + g] = dWg
        grads["b" + g] = dbg
    return grads
