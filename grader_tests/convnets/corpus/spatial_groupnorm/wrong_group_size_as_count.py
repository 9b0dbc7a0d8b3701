# corpus: spatial_groupnorm
# verdict: wrong
# bug: G is used as the number of channels per group (reshape to (N, C // G, G, H, W), statistics over its last three axes), giving C // G groups of G channels.

def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """x (N, C, H, W), gamma and beta (1, C, 1, 1), G groups -> (out, cache)."""
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, C // G, G, H, W)
    mu = xg.mean(axis=(2, 3, 4), keepdims=True)
    var = xg.var(axis=(2, 3, 4), keepdims=True)
    std = np.sqrt(var + eps)
    x_hat = ((xg - mu) / std).reshape(N, C, H, W)
    out = gamma * x_hat + beta
    return out, (x_hat, gamma, std, G)


def spatial_groupnorm_backward(dout, cache):
    """dout (N, C, H, W) -> (dx, dgamma (1, C, 1, 1), dbeta (1, C, 1, 1))."""
    x_hat, gamma, std, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3), keepdims=True)
    dxh = (dout * gamma).reshape(N, C // G, G, H, W)
    xh = x_hat.reshape(N, C // G, G, H, W)
    m = G * H * W
    dx = (m * dxh - dxh.sum(axis=(2, 3, 4), keepdims=True)
          - xh * (dxh * xh).sum(axis=(2, 3, 4), keepdims=True)) / (m * std)
    return dx.reshape(N, C, H, W), dgamma, dbeta
