# corpus: activation_ratio
# verdict: wrong
# bug: Approximates tanh'(e) as 1 - e (forgets to square the approximation of tanh).

def sigmoid_grad_approx(eps):
    eps = np.asarray(eps, dtype=float)
    sigma = 0.5 + eps / 4
    return sigma * (1 - sigma)


def tanh_grad_approx(eps):
    eps = np.asarray(eps, dtype=float)
    t = eps
    return 1 - t


def rho_approx(eps):
    return sigmoid_grad_approx(eps) / tanh_grad_approx(eps)


def rho(eps):
    eps = np.asarray(eps, dtype=float)
    sigma = 1 / (1 + np.exp(-eps))
    return sigma * (1 - sigma) / (1 - np.tanh(eps) ** 2)


# 1/4 - e^2/16 <= 1 - e^2  <=>  15 e^2 / 16 <= 3/4  <=>  e^2 <= 4/5
INTERVAL = (-2 / math.sqrt(5), 2 / math.sqrt(5))
