# corpus: max_pool_naive
# verdict: correct
# bug: Style: plain loops over n, c, i, j; the backward recomputes each window's argmax with np.unravel_index.

def max_pool_forward_naive(x, pool_param):
    """Max pooling forward pass: x (N, C, H, W) -> (out (N, C, H', W'), cache)."""
    HH = pool_param["pool_height"]
    WW = pool_param["pool_width"]
    S = pool_param["stride"]
    N, C, H, W = x.shape
    H_out = int(1 + (H - HH) / S)
    W_out = int(1 + (W - WW) / S)
    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    out[n, c, i, j] = np.max(x[n, c, i * S:i * S + HH, j * S:j * S + WW])
    cache = (x, pool_param)
    return out, cache


def max_pool_backward_naive(dout, cache):
    """Max pooling backward pass: dout (N, C, H', W') -> dx (N, C, H, W)."""
    x, pool_param = cache
    HH = pool_param["pool_height"]
    WW = pool_param["pool_width"]
    S = pool_param["stride"]
    N, C, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * S:i * S + HH, j * S:j * S + WW]
                    a, b = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * S + a, j * S + b] += dout[n, c, i, j]
    return dx
