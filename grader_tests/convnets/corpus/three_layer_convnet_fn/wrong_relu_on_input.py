# corpus: three_layer_convnet_fn
# verdict: wrong
# bug: Puts the first ReLU before the first convolution (on the images) instead of after it.

def three_layer_convnet(x, params):
    """Scores (N, K) of the barebones three-layer ConvNet."""
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    h = F.conv2d(F.relu(x), conv_w1, conv_b1, padding=2)
    h = F.relu(F.conv2d(h, conv_w2, conv_b2, padding=1))
    return h.flatten(1) @ fc_w + fc_b
