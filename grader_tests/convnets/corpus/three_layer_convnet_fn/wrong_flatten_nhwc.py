# corpus: three_layer_convnet_fn
# verdict: wrong
# bug: Moves the channels last before flattening, so the features meet fc_w in the wrong order.

def three_layer_convnet(x, params):
    """Scores (N, K) of the barebones three-layer ConvNet."""
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    h = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2))
    h = F.relu(F.conv2d(h, conv_w2, conv_b2, padding=1))
    h = h.permute(0, 2, 3, 1).contiguous()
    return h.view(h.shape[0], -1) @ fc_w + fc_b
