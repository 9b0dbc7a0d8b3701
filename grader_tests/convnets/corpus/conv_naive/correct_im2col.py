# corpus: conv_naive
# verdict: correct
# bug: Style: im2col with fancy indexing, the forward as one matrix product and col2im with np.add.at.

def _im2col_indices(C, H, W, HH, WW, stride, H_out, W_out):
    c = np.repeat(np.arange(C), HH * WW)                      # (C*HH*WW,)
    k = np.tile(np.repeat(np.arange(HH), WW), C)
    l = np.tile(np.arange(WW), C * HH)
    rows = k[:, None] + stride * np.repeat(np.arange(H_out), W_out)[None, :]
    cols = l[:, None] + stride * np.tile(np.arange(W_out), H_out)[None, :]
    return c[:, None], rows, cols


def conv_forward_naive(x, w, b, conv_param):
    """Convolution forward pass: x (N, C, H, W), w (F, C, HH, WW), b (F,) -> (out, cache)."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], mode="constant")
    c, r, q = _im2col_indices(C, H, W, HH, WW, stride, H_out, W_out)
    cols = xp[:, c, r, q]                                     # (N, C*HH*WW, H_out*W_out)
    out = np.einsum("fk,nkp->nfp", w.reshape(F, -1), cols) + b[None, :, None]
    return out.reshape(N, F, H_out, W_out), (x.shape, cols, w, conv_param)


def conv_backward_naive(dout, cache):
    """Convolution backward pass: dout (N, F, H', W') -> (dx, dw, db)."""
    x_shape, cols, w, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x_shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    d = dout.reshape(N, F, -1)
    db = d.sum(axis=(0, 2))
    dw = np.einsum("nfp,nkp->fk", d, cols).reshape(w.shape)
    dcols = np.einsum("fk,nfp->nkp", w.reshape(F, -1), d)
    c, r, q = _im2col_indices(C, H, W, HH, WW, stride, H_out, W_out)
    dxp = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=dcols.dtype)
    np.add.at(dxp, (slice(None), c, r, q), dcols)
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, db
