# corpus: spatial_batchnorm
# verdict: wrong
# bug: The mean and variance are taken over N only (per pixel), not over N, H and W.

def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """x (N, C, H, W), gamma and beta (C,) -> (out (N, C, H, W), cache)."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.zeros(C))
    cache = None
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        std = np.sqrt(var + eps)
        x_hat = (x - mu) / std
        out = gamma[None, :, None, None] * x_hat + beta[None, :, None, None]
        cache = (x_hat, gamma, std)
        running_mean = momentum * running_mean + (1 - momentum) * mu.mean(axis=(1, 2))
        running_var = momentum * running_var + (1 - momentum) * var.mean(axis=(1, 2))
    else:
        x_hat = (x - running_mean[None, :, None, None]) / np.sqrt(running_var[None, :, None, None] + eps)
        out = gamma[None, :, None, None] * x_hat + beta[None, :, None, None]
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def spatial_batchnorm_backward(dout, cache):
    """dout (N, C, H, W) -> (dx, dgamma (C,), dbeta (C,))."""
    x_hat, gamma, std = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3))
    dx_hat = dout * gamma[None, :, None, None]
    dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0)) / std
    return dx, dgamma, dbeta
