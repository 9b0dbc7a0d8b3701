# corpus: conv_naive
# verdict: correct
# bug: Style: flattens each window and uses matrix products (x_window @ w_flat.T) per output position; caches nothing but inputs.

def conv_forward_naive(x, w, b, conv_param):
    """Convolution forward pass: x (N, C, H, W), w (F, C, HH, WW), b (F,) -> (out, cache)."""
    S, P = conv_param["stride"], conv_param["pad"]
    N = x.shape[0]
    F, C, HH, WW = w.shape
    Hp, Wp = x.shape[2] + 2 * P, x.shape[3] + 2 * P
    xp = np.zeros((N, C, Hp, Wp), dtype=np.result_type(x, w))
    xp[:, :, P:Hp - P, P:Wp - P] = x
    Ho, Wo = (Hp - HH) // S + 1, (Wp - WW) // S + 1
    wf = w.reshape(F, -1)
    out = np.zeros((N, F, Ho, Wo), dtype=xp.dtype)
    for i in range(Ho):
        for j in range(Wo):
            patch = xp[:, :, i * S:i * S + HH, j * S:j * S + WW].reshape(N, -1)
            out[:, :, i, j] = patch @ wf.T + b
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    """Convolution backward pass: dout (N, F, H', W') -> (dx, dw, db)."""
    x, w, b, conv_param = cache
    S, P = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2:]
    xp = np.zeros((N, C, H + 2 * P, W + 2 * P))
    xp[:, :, P:P + H, P:P + W] = x
    dxp = np.zeros_like(xp)
    wf = w.reshape(F, -1)
    dwf = np.zeros_like(wf)
    for i in range(Ho):
        for j in range(Wo):
            g = dout[:, :, i, j]                                            # (N, F)
            patch = xp[:, :, i * S:i * S + HH, j * S:j * S + WW].reshape(N, -1)
            dwf += g.T @ patch
            dxp[:, :, i * S:i * S + HH, j * S:j * S + WW] += (g @ wf).reshape(N, C, HH, WW)
    db = dout.sum(axis=0).sum(axis=1).sum(axis=1)
    return dxp[:, :, P:P + H, P:P + W], dwf.reshape(w.shape), db
