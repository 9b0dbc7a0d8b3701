# corpus: three_layer_convnet_fn
# verdict: wrong
# bug: Pads by hand into torch.zeros made with the input's dtype but on the default (CPU) device, so CUDA inputs fail.

def three_layer_convnet(x, params):
    """Scores (N, K) of the barebones three-layer ConvNet."""
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    N, C, H, W = x.shape
    padded = torch.zeros(N, C, H + 4, W + 4, dtype=x.dtype)
    padded[:, :, 2:-2, 2:-2] = x
    h = F.relu(F.conv2d(padded, conv_w1, conv_b1))
    h = F.relu(F.conv2d(h, conv_w2, conv_b2, padding=1))
    return h.flatten(1) @ fc_w + fc_b
