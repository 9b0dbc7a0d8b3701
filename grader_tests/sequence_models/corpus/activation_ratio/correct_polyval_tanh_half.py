# corpus: activation_ratio
# verdict: correct
# bug: Style: np.polyval for the approximations, sigma written as (1 + tanh(e/2))/2, INTERVAL from np.roots.

def sigmoid_grad_approx(eps):
    return np.polyval([-1 / 16, 0.0, 1 / 4], np.asarray(eps, dtype=float))


def tanh_grad_approx(eps):
    return np.polyval([-1.0, 0.0, 1.0], np.asarray(eps, dtype=float))


def rho_approx(eps):
    return sigmoid_grad_approx(eps) / tanh_grad_approx(eps)


def rho(eps):
    e = np.asarray(eps, dtype=float)
    s = 0.5 * (1 + np.tanh(e / 2))
    return s * (1 - s) / (1 - np.tanh(e) ** 2)


# tanh' - sigma' = 3/4 - 15 e^2 / 16 >= 0 between its two roots
_roots = np.sort(np.roots([-15 / 16, 0.0, 3 / 4]).real)
INTERVAL = (float(_roots[0]), float(_roots[1]))
