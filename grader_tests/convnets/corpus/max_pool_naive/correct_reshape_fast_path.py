# corpus: max_pool_naive
# verdict: correct
# bug: Style: a reshape-based pool when the windows tile the input, with a loop fallback otherwise; mask-based backward.

def max_pool_forward_naive(x, pool_param):
    """Max pooling forward pass: x (N, C, H, W) -> (out (N, C, H', W'), cache)."""
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    Ho, Wo = 1 + (H - ph) // s, 1 + (W - pw) // s
    tiles = ph == pw == s and H % ph == 0 and W % pw == 0
    if tiles:
        out = x.reshape(N, C, Ho, ph, Wo, pw).max(axis=3).max(axis=4)
    else:
        out = np.empty((N, C, Ho, Wo), dtype=x.dtype)
        for i in range(Ho):
            for j in range(Wo):
                out[:, :, i, j] = x[:, :, i * s:i * s + ph, j * s:j * s + pw].max(axis=(2, 3))
    return out, (x, out, pool_param, tiles)


def max_pool_backward_naive(dout, cache):
    """Max pooling backward pass: dout (N, C, H', W') -> dx (N, C, H, W)."""
    x, out, pool_param, tiles = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    Ho, Wo = out.shape[2:]
    if tiles:
        xr = x.reshape(N, C, Ho, ph, Wo, pw)
        mask = xr == out[:, :, :, None, :, None]
        dx = mask * dout[:, :, :, None, :, None]
        return dx.reshape(N, C, H, W)
    dx = np.zeros(x.shape, dtype=np.result_type(x, dout))
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * s:i * s + ph, j * s:j * s + pw]
            mask = win == out[:, :, i:i + 1, j:j + 1]
            dx[:, :, i * s:i * s + ph, j * s:j * s + pw] += mask * dout[:, :, i:i + 1, j:j + 1]
    return dx
