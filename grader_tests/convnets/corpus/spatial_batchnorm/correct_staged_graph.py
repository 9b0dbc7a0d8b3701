# corpus: spatial_batchnorm
# verdict: correct
# bug: Style: the forward as a chain of small steps and the backward walking the graph back step by step; setdefault for the running statistics.

def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """x (N, C, H, W), gamma and beta (C,) -> (out (N, C, H, W), cache)."""
    C = x.shape[1]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    bn_param.setdefault("running_mean", np.zeros(C))
    bn_param.setdefault("running_var", np.zeros(C))
    g = gamma.reshape(1, C, 1, 1)
    b = beta.reshape(1, C, 1, 1)
    if bn_param["mode"] == "train":
        m = x.shape[0] * x.shape[2] * x.shape[3]
        mu = np.sum(x, axis=(0, 2, 3), keepdims=True) / m
        xmu = x - mu
        sq = xmu ** 2
        var = np.sum(sq, axis=(0, 2, 3), keepdims=True) / m
        sqrtvar = np.sqrt(var + eps)
        ivar = 1.0 / sqrtvar
        xhat = xmu * ivar
        out = g * xhat + b
        bn_param["running_mean"] = momentum * bn_param["running_mean"] + (1 - momentum) * mu.ravel()
        bn_param["running_var"] = momentum * bn_param["running_var"] + (1 - momentum) * var.ravel()
        return out, (xhat, g, xmu, ivar, sqrtvar, var, eps, m)
    rm = bn_param["running_mean"].reshape(1, C, 1, 1)
    rv = bn_param["running_var"].reshape(1, C, 1, 1)
    return g * (x - rm) / np.sqrt(rv + eps) + b, None


def spatial_batchnorm_backward(dout, cache):
    """dout (N, C, H, W) -> (dx, dgamma (C,), dbeta (C,))."""
    xhat, g, xmu, ivar, sqrtvar, var, eps, m = cache
    dbeta = np.sum(dout, axis=(0, 2, 3))
    dgamma = np.sum(dout * xhat, axis=(0, 2, 3))
    dxhat = dout * g
    divar = np.sum(dxhat * xmu, axis=(0, 2, 3), keepdims=True)
    dxmu1 = dxhat * ivar
    dsqrtvar = -1.0 / sqrtvar ** 2 * divar
    dvar = 0.5 / np.sqrt(var + eps) * dsqrtvar
    dsq = np.ones_like(xmu) / m * dvar
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -np.sum(dx1, axis=(0, 2, 3), keepdims=True)
    dx2 = np.ones_like(xmu) / m * dmu
    return dx1 + dx2, dgamma, dbeta
