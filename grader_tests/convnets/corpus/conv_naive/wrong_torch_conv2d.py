# corpus: conv_naive
# verdict: wrong
# bug: Rule violation: the forward pass calls torch.nn.functional.conv2d (numpy only); the numbers are right.

import torch
import torch.nn.functional as TF


def conv_forward_naive(x, w, b, conv_param):
    """Convolution forward pass: x (N, C, H, W), w (F, C, HH, WW), b (F,) -> (out, cache)."""
    out = TF.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b),
                    stride=conv_param["stride"], padding=conv_param["pad"])
    return out.numpy(), (x, w, b, conv_param)


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
    dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return dx, dw, dout.sum(axis=(0, 2, 3))
