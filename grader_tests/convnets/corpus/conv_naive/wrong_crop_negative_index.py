# corpus: conv_naive
# verdict: wrong
# bug: dx is cropped with dxp[:, :, pad:-pad, pad:-pad], which is empty when pad = 0.

def conv_forward_naive(x, w, b, conv_param):
    """Convolution forward pass: x (N, C, H, W), w (F, C, HH, WW), b (F,) -> (out, cache)."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            window = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    """Convolution backward pass: dout (N, F, H', W') -> (dx, dw, db)."""
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    _, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for i in range(H_out):
        for j in range(W_out):
            rs, cs = slice(i * stride, i * stride + HH), slice(j * stride, j * stride + WW)
            g = dout[:, :, i, j]
            dw += np.tensordot(g, xp[:, :, rs, cs], axes=([0], [0]))
            dxp[:, :, rs, cs] += np.tensordot(g, w, axes=([1], [0]))
    dx = dxp[:, :, pad:-pad, pad:-pad]
    return dx, dw, dout.sum(axis=(0, 2, 3))
