# corpus: spatial_groupnorm
# verdict: wrong
# bug: The backward pass drops the term through the group mean (the subtraction of sum(dx_hat)).

def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """x (N, C, H, W), gamma and beta (1, C, 1, 1), G groups -> (out, cache)."""
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, C // G, H, W)
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
    dxh = (dout * gamma).reshape(N, G, C // G, H, W)
    xh = x_hat.reshape(N, G, C // G, H, W)
    m = (C // G) * H * W
    dx = (m * dxh
          - xh * (dxh * xh).sum(axis=(2, 3, 4), keepdims=True)) / (m * std)
    return dx.reshape(N, C, H, W), dgamma, dbeta
