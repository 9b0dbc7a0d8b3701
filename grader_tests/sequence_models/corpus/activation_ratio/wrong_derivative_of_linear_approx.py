# corpus: activation_ratio
# verdict: wrong
# bug: Differentiates the linear approximations directly, so sigma' ~ 1/4 and tanh' ~ 1 (constants, returned as scalars).

def sigmoid_grad_approx(eps):
    return 0.25


def tanh_grad_approx(eps):
    return 1.0


def rho_approx(eps):
    return sigmoid_grad_approx(eps) / tanh_grad_approx(eps)


def rho(eps):
    eps = np.asarray(eps, dtype=float)
    sigma = 1 / (1 + np.exp(-eps))
    return sigma * (1 - sigma) / (1 - np.tanh(eps) ** 2)


# 1/4 - e^2/16 <= 1 - e^2  <=>  15 e^2 / 16 <= 3/4  <=>  e^2 <= 4/5
INTERVAL = (-2 / math.sqrt(5), 2 / math.sqrt(5))
