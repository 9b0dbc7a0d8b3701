# corpus: spatial_groupnorm
# verdict: correct
# bug: Style: reshapes to a (N*G, C//G*H*W) matrix, runs a layer norm on its rows, and takes the backward through the computational graph.

def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """x (N, C, H, W), gamma and beta (1, C, 1, 1), G groups -> (out, cache)."""
    eps = gn_param["eps"] if "eps" in gn_param else 1e-5
    N, C, H, W = x.shape
    rows = x.reshape(N * G, -1)
    mean = rows.mean(axis=1, keepdims=True)
    xmu = rows - mean
    var = (xmu ** 2).mean(axis=1, keepdims=True)
    ivar = 1.0 / np.sqrt(var + eps)
    xhat_rows = xmu * ivar
    xhat = xhat_rows.reshape(N, C, H, W)
    out = xhat * gamma + beta
    return out, (xmu, ivar, var, eps, xhat, gamma, x.shape, G)


def spatial_groupnorm_backward(dout, cache):
    """dout (N, C, H, W) -> (dx, dgamma (1, C, 1, 1), dbeta (1, C, 1, 1))."""
    xmu, ivar, var, eps, xhat, gamma, shape, G = cache
    N, C, H, W = shape
    dbeta = np.sum(dout, axis=(0, 2, 3), keepdims=True)
    dgamma = np.sum(dout * xhat, axis=(0, 2, 3), keepdims=True)
    dxhat = (dout * gamma).reshape(N * G, -1)
    D = dxhat.shape[1]
    divar = np.sum(dxhat * xmu, axis=1, keepdims=True)
    dxmu = dxhat * ivar
    dvar = divar * -0.5 * (var + eps) ** -1.5
    dxmu = dxmu + 2.0 * xmu * dvar / D
    dmean = -np.sum(dxmu, axis=1, keepdims=True)
    dx = dxmu + dmean / D
    return dx.reshape(N, C, H, W), dgamma, dbeta
