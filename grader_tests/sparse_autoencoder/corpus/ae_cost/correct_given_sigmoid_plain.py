# corpus: ae_cost
# verdict: correct
# bug: Style: the given sigmoid, matrix form with intermediate names and np.dot.

def ae_cost(We, data, params):
    W1, b1, W2, b2 = We["W1"], We["b1"], We["W2"], We["b2"]
    lam, beta, rho = params["lambda"], params["beta"], params["rho"]
    N = data.shape[0]
    A1 = data @ W1 + b1
    H = sigmoid(A1)
    A2 = H @ W2 + b2
    O = sigmoid(A2)
    rho_hat = H.mean(axis=0)
    rec = np.sum((data - O) ** 2) / (2 * N)
    kl = rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))
    J = rec + lam / 2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2)) + beta * np.sum(kl)
    d_out = (O - data) * O * (1 - O) / N
    sp = beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat)) / N
    d_hid = (d_out @ W2.T + sp) * H * (1 - H)
    grads = {"W1": data.T @ d_hid + lam * W1, "b1": d_hid.sum(axis=0), "W2": H.T @ d_out + lam * W2, "b2": d_out.sum(axis=0)}
    return float(J), grads
