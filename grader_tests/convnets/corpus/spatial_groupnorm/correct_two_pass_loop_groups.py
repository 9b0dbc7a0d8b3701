# corpus: spatial_groupnorm
# verdict: correct
# bug: Style: loops over the groups with channel slices, two-pass statistics (mean, then mean of squared deviations).

def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """x (N, C, H, W), gamma and beta (1, C, 1, 1), G groups -> (out, cache)."""
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    size = C // G
    x_hat = np.empty_like(x, dtype=np.float64)
    inv_std = np.empty((N, G))
    for g in range(G):
        block = x[:, g * size:(g + 1) * size]
        mean = block.mean(axis=(1, 2, 3))
        dev = block - mean[:, None, None, None]
        var = (dev ** 2).mean(axis=(1, 2, 3))
        inv_std[:, g] = 1.0 / np.sqrt(var + eps)
        x_hat[:, g * size:(g + 1) * size] = dev * inv_std[:, g][:, None, None, None]
    out = gamma * x_hat + beta
    return out, {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma, "G": G}


def spatial_groupnorm_backward(dout, cache):
    """dout (N, C, H, W) -> (dx, dgamma (1, C, 1, 1), dbeta (1, C, 1, 1))."""
    x_hat, inv_std, gamma, G = cache["x_hat"], cache["inv_std"], cache["gamma"], cache["G"]
    N, C, H, W = dout.shape
    size = C // G
    m = size * H * W
    dgamma = np.sum(dout * x_hat, axis=(0, 2, 3)).reshape(1, C, 1, 1)
    dbeta = np.sum(dout, axis=(0, 2, 3)).reshape(1, C, 1, 1)
    dxhat = dout * gamma
    dx = np.empty_like(dxhat)
    for g in range(G):
        sl = slice(g * size, (g + 1) * size)
        d, xh = dxhat[:, sl], x_hat[:, sl]
        s1 = d.sum(axis=(1, 2, 3))[:, None, None, None]
        s2 = (d * xh).sum(axis=(1, 2, 3))[:, None, None, None]
        dx[:, sl] = inv_std[:, g][:, None, None, None] / m * (m * d - s1 - xh * s2)
    return dx, dgamma, dbeta
