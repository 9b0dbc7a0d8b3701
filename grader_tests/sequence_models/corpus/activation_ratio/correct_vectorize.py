# corpus: activation_ratio
# verdict: correct
# bug: Style: scalar functions with math wrapped in np.vectorize (arrays in, arrays out).

def _sig_prime_approx(e):
    return 0.25 - e * e / 16.0


def _tanh_prime_approx(e):
    return 1.0 - e * e


def _rho_true(e):
    s = 1.0 / (1.0 + math.exp(-e))
    return s * (1.0 - s) / (1.0 - math.tanh(e) ** 2)


sigmoid_grad_approx = np.vectorize(_sig_prime_approx, otypes=[float])
tanh_grad_approx = np.vectorize(_tanh_prime_approx, otypes=[float])
rho_approx = np.vectorize(lambda e: _sig_prime_approx(e) / _tanh_prime_approx(e), otypes=[float])
rho = np.vectorize(_rho_true, otypes=[float])

bound = 2.0 / math.sqrt(5.0)
INTERVAL = (-bound, bound)
