# corpus: spatial_batchnorm
# verdict: correct
# bug: Style: caches x, gamma and eps only and recomputes the statistics in the backward pass; einsum for the reductions.

def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """x (N, C, H, W), gamma and beta (C,) -> (out (N, C, H, W), cache)."""
    mode = bn_param["mode"]
    eps = bn_param["eps"] if "eps" in bn_param else 1e-5
    mom = bn_param["momentum"] if "momentum" in bn_param else 0.9
    N, C, H, W = x.shape
    if "running_mean" not in bn_param:
        bn_param["running_mean"] = np.zeros(C)
    if "running_var" not in bn_param:
        bn_param["running_var"] = np.zeros(C)
    m = N * H * W
    if mode == "train":
        mean = np.einsum("nchw->c", x) / m
        centred = x - mean[:, None, None]
        var = np.einsum("nchw,nchw->c", centred, centred) / m
        bn_param["running_mean"] = mom * bn_param["running_mean"] + (1 - mom) * mean
        bn_param["running_var"] = mom * bn_param["running_var"] + (1 - mom) * var
    else:
        mean, var = bn_param["running_mean"], bn_param["running_var"]
    xhat = (x - mean[:, None, None]) / np.sqrt(var + eps)[:, None, None]
    out = xhat * gamma[:, None, None] + beta[:, None, None]
    return out, (x.copy(), gamma, eps)


def spatial_batchnorm_backward(dout, cache):
    """dout (N, C, H, W) -> (dx, dgamma (C,), dbeta (C,))."""
    x, gamma, eps = cache
    N, C, H, W = x.shape
    m = N * H * W
    mean = np.einsum("nchw->c", x) / m
    var = np.einsum("nchw,nchw->c", x - mean[:, None, None], x - mean[:, None, None]) / m
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean[:, None, None]) * inv[:, None, None]
    dbeta = np.einsum("nchw->c", dout)
    dgamma = np.einsum("nchw,nchw->c", dout, xhat)
    dx = (gamma * inv / m)[:, None, None] * (m * dout - dbeta[:, None, None] - xhat * dgamma[:, None, None])
    return dx, dgamma, dbeta
