# corpus: three_layer_convnet_fn
# verdict: wrong
# bug: Forgets the ReLU after the second convolution.

def three_layer_convnet(x, params):
    """Scores (N, K) of the barebones three-layer ConvNet."""
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    h = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2))
    h = F.conv2d(h, conv_w2, conv_b2, padding=1)
    return h.flatten(1) @ fc_w + fc_b
