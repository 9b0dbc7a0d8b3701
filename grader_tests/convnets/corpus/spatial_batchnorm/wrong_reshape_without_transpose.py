# corpus: spatial_batchnorm
# verdict: wrong
# bug: x is reshaped straight to (N*H*W, C) without moving the channels last first, which mixes channels and pixels.

def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """x (N, C, H, W), gamma and beta (C,) -> (out (N, C, H, W), cache)."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, C, H, W = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(C))
    running_var = bn_param.get("running_var", np.zeros(C))
    x2 = x.reshape(-1, C)
    cache = None
    if mode == "train":
        mu = x2.mean(axis=0)
        var = x2.var(axis=0)
        std = np.sqrt(var + eps)
        x_hat = (x2 - mu) / std
        cache = (x_hat, gamma, std)
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        x_hat = (x2 - running_mean) / np.sqrt(running_var + eps)
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return (gamma * x_hat + beta).reshape(N, C, H, W), cache


def spatial_batchnorm_backward(dout, cache):
    """dout (N, C, H, W) -> (dx, dgamma (C,), dbeta (C,))."""
    x_hat, gamma, std = cache
    N, C, H, W = dout.shape
    d2 = dout.reshape(-1, C)
    dbeta = d2.sum(axis=0)
    dgamma = (d2 * x_hat).sum(axis=0)
    dx_hat = d2 * gamma
    dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0)) / std
    return dx.reshape(N, C, H, W), dgamma, dbeta
