# corpus: spatial_batchnorm
# verdict: correct
# bug: Style: moves the channels last, reshapes to (N*H*W, C) and runs a vanilla batchnorm on the matrix.

def _bn_2d_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    if mode == "train":
        sample_mean = np.mean(x, axis=0)
        sample_var = np.var(x, axis=0)
        x_norm = (x - sample_mean) / np.sqrt(sample_var + eps)
        out = gamma * x_norm + beta
        cache = (x, x_norm, sample_mean, sample_var, gamma, eps)
        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var
    elif mode == "test":
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
        cache = None
    else:
        raise ValueError('Invalid forward batchnorm mode "%s"' % mode)
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def _bn_2d_backward(dout, cache):
    x, x_norm, mean, var, gamma, eps = cache
    m = x.shape[0]
    dgamma = np.sum(dout * x_norm, axis=0)
    dbeta = np.sum(dout, axis=0)
    dx_norm = dout * gamma
    dvar = np.sum(dx_norm * (x - mean), axis=0) * -0.5 * (var + eps) ** -1.5
    dmean = np.sum(-dx_norm / np.sqrt(var + eps), axis=0) + dvar * np.mean(-2 * (x - mean), axis=0)
    dx = dx_norm / np.sqrt(var + eps) + dvar * 2 * (x - mean) / m + dmean / m
    return dx, dgamma, dbeta


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """x (N, C, H, W), gamma and beta (C,) -> (out (N, C, H, W), cache)."""
    N, C, H, W = x.shape
    x2 = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out2, cache = _bn_2d_forward(x2, gamma, beta, bn_param)
    return out2.reshape(N, H, W, C).transpose(0, 3, 1, 2), cache


def spatial_batchnorm_backward(dout, cache):
    """dout (N, C, H, W) -> (dx, dgamma (C,), dbeta (C,))."""
    N, C, H, W = dout.shape
    dx2, dgamma, dbeta = _bn_2d_backward(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)
    return dx2.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma, dbeta
