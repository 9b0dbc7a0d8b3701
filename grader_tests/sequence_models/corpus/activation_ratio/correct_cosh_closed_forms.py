# corpus: activation_ratio
# verdict: correct
# bug: Style: closed forms 1/4 - e^2/16 and 1 - e^2 written out, true derivatives via exp and cosh, INTERVAL via sqrt(0.8).

def sigmoid_grad_approx(eps):
    e = np.asarray(eps, dtype=np.float64)
    return 1 / 4 - np.square(e) / 16


def tanh_grad_approx(eps):
    e = np.asarray(eps, dtype=np.float64)
    return 1 - np.square(e)


def rho_approx(eps):
    return np.divide(sigmoid_grad_approx(eps), tanh_grad_approx(eps))


def rho(eps):
    e = np.asarray(eps, dtype=np.float64)
    dsig = np.exp(-e) / (1 + np.exp(-e)) ** 2
    dtanh = 1 / np.cosh(e) ** 2
    return dsig / dtanh


INTERVAL = (-math.sqrt(0.8), math.sqrt(0.8))
