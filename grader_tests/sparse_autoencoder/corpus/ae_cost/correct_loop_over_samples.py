# corpus: ae_cost
# verdict: correct
# bug: Style: accumulates the gradients one sample at a time with np.outer; own exp-based sigmoid.

def ae_cost(We, data, params):
    W1, b1, W2, b2 = We["W1"], We["b1"], We["W2"], We["b2"]
    lam, beta, rho = params["lambda"], params["beta"], params["rho"]
    N = data.shape[0]
    act = lambda z: 1.0 / (1.0 + np.exp(-z))
    H = act(data @ W1 + b1)
    rho_hat = H.mean(axis=0)
    sparse_grad = beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat))
    J = 0.0
    gW1, gb1 = np.zeros_like(W1), np.zeros_like(b1)
    gW2, gb2 = np.zeros_like(W2), np.zeros_like(b2)
    for m in range(N):
        d = data[m]
        h = H[m]
        o = act(h @ W2 + b2)
        J += 0.5 * np.sum((d - o) ** 2) / N
        delta3 = (o - d) * o * (1 - o)
        delta2 = (W2 @ delta3 + sparse_grad) * h * (1 - h)
        gW2 += np.outer(h, delta3) / N
        gb2 += delta3 / N
        gW1 += np.outer(d, delta2) / N
        gb1 += delta2 / N
    J += lam / 2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    J += beta * np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)))
    return J, {"W1": gW1 + lam * W1, "b1": gb1, "W2": gW2 + lam * W2, "b2": gb2}
