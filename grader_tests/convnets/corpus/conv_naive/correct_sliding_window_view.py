# corpus: conv_naive
# verdict: correct
# bug: Style: windows from np.lib.stride_tricks.sliding_window_view and einsum; the backward loops over kernel offsets.

def conv_forward_naive(x, w, b, conv_param):
    """Convolution forward pass: x (N, C, H, W), w (F, C, HH, WW), b (F,) -> (out, cache)."""
    s, p = conv_param["stride"], conv_param["pad"]
    HH, WW = w.shape[2], w.shape[3]
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (HH, WW), axis=(2, 3))[:, :, ::s, ::s]
    out = np.einsum("nchwkl,fckl->nfhw", windows, w) + b.reshape(1, -1, 1, 1)
    return out, (x, w, conv_param)


def conv_backward_naive(dout, cache):
    """Convolution backward pass: dout (N, F, H', W') -> (dx, dw, db)."""
    x, w, conv_param = cache
    s, p = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp = np.zeros(xp.shape)
    dw = np.zeros(w.shape)
    for k in range(HH):
        for l in range(WW):
            # every output position uses input pixel (i*s + k, j*s + l) with weight w[:, :, k, l]
            xs = xp[:, :, k:k + s * (Ho - 1) + 1:s, l:l + s * (Wo - 1) + 1:s]      # (N, C, Ho, Wo)
            dw[:, :, k, l] = np.einsum("nfhw,nchw->fc", dout, xs)
            dxp[:, :, k:k + s * (Ho - 1) + 1:s, l:l + s * (Wo - 1) + 1:s] += np.einsum("nfhw,fc->nchw", dout, w[:, :, k, l])
    db = np.einsum("nfhw->f", dout)
    return dxp[:, :, p:p + H, p:p + W], dw, db
