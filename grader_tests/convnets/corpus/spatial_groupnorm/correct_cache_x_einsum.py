# corpus: spatial_groupnorm
# verdict: correct
# bug: Style: caches the raw input and recomputes the statistics in the backward pass; einsum reductions on a (N, G, C//G, H*W) view.

def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """x (N, C, H, W), gamma and beta (1, C, 1, 1), G groups -> (out, cache)."""
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    v = x.reshape(N, G, C // G, H * W)
    m = v.shape[2] * v.shape[3]
    mean = np.einsum("ngcp->ng", v) / m
    sq = np.einsum("ngcp,ngcp->ng", v, v) / m
    var = np.maximum(sq - mean ** 2, 0.0)
    xhat = (v - mean[:, :, None, None]) / np.sqrt(var + eps)[:, :, None, None]
    out = xhat.reshape(N, C, H, W) * gamma + beta
    return out, (x, gamma, G, eps)


def spatial_groupnorm_backward(dout, cache):
    """dout (N, C, H, W) -> (dx, dgamma (1, C, 1, 1), dbeta (1, C, 1, 1))."""
    x, gamma, G, eps = cache
    N, C, H, W = x.shape
    v = x.reshape(N, G, C // G, H * W)
    m = v.shape[2] * v.shape[3]
    mean = v.mean(axis=(2, 3))
    var = v.var(axis=(2, 3))
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (v - mean[:, :, None, None]) * inv[:, :, None, None]
    dgamma = np.einsum("nchw,nchw->c", dout, xhat.reshape(N, C, H, W)).reshape(1, C, 1, 1)
    dbeta = np.einsum("nchw->c", dout).reshape(1, C, 1, 1)
    g = (dout * gamma).reshape(N, G, C // G, H * W)
    s1 = np.einsum("ngcp->ng", g)[:, :, None, None]
    s2 = np.einsum("ngcp,ngcp->ng", g, xhat)[:, :, None, None]
    dx = inv[:, :, None, None] * (g - s1 / m - xhat * s2 / m)
    return dx.reshape(N, C, H, W), dgamma, dbeta
