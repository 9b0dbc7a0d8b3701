# corpus: ae_cost
# verdict: correct
# bug: Style: scipy.special.expit and einsum contractions.

from scipy.special import expit


def ae_cost(We, data, params):
    lam, beta, rho = params["lambda"], params["beta"], params["rho"]
    n = len(data)
    h = expit(np.einsum("ni,ih->nh", data, We["W1"]) + We["b1"])
    o = expit(np.einsum("nh,hi->ni", h, We["W2"]) + We["b2"])
    q = h.mean(0)
    J = (0.5 * np.einsum("ni,ni->", o - data, o - data) / n
         + 0.5 * lam * (np.einsum("ij,ij->", We["W1"], We["W1"]) + np.einsum("ij,ij->", We["W2"], We["W2"]))
         + beta * np.sum(rho * np.log(rho / q) + (1 - rho) * np.log((1 - rho) / (1 - q))))
    g_out = (o - data) * o * (1 - o) / n
    g_hid = (np.einsum("ni,hi->nh", g_out, We["W2"]) + beta / n * ((1 - rho) / (1 - q) - rho / q)) * h * (1 - h)
    return J, {"W1": np.einsum("ni,nh->ih", data, g_hid) + lam * We["W1"], "b1": g_hid.sum(0),
               "W2": np.einsum("nh,ni->hi", h, g_out) + lam * We["W2"], "b2": g_out.sum(0)}
