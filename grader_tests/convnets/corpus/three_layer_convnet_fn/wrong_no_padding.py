# corpus: three_layer_convnet_fn
# verdict: wrong
# bug: Leaves out the zero padding, so the feature maps shrink and no longer fit fc_w.

def three_layer_convnet(x, params):
    """Scores (N, K) of the barebones three-layer ConvNet."""
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    h = F.relu(F.conv2d(x, conv_w1, conv_b1))
    h = F.relu(F.conv2d(h, conv_w2, conv_b2))
    return h.flatten(1) @ fc_w + fc_b
