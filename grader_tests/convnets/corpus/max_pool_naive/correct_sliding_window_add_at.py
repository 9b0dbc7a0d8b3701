# corpus: max_pool_naive
# verdict: correct
# bug: Style: windows from sliding_window_view, flat argmax per window, and np.add.at to scatter the gradient.

def max_pool_forward_naive(x, pool_param):
    """Max pooling forward pass: x (N, C, H, W) -> (out (N, C, H', W'), cache)."""
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    win = np.lib.stride_tricks.sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, ::s, ::s]
    N, C, Ho, Wo = win.shape[:4]
    flat = win.reshape(N, C, Ho, Wo, ph * pw)
    arg = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
    return out, (x.shape, arg, pool_param)


def max_pool_backward_naive(dout, cache):
    """Max pooling backward pass: dout (N, C, H', W') -> dx (N, C, H, W)."""
    shape, arg, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, Ho, Wo = arg.shape
    r, q = np.divmod(arg, pw)
    rows = r + s * np.arange(Ho)[None, None, :, None]
    cols = q + s * np.arange(Wo)[None, None, None, :]
    n = np.broadcast_to(np.arange(N)[:, None, None, None], arg.shape)
    c = np.broadcast_to(np.arange(C)[None, :, None, None], arg.shape)
    dx = np.zeros(shape, dtype=dout.dtype)
    np.add.at(dx, (n, c, rows, cols), dout)
    return dx
