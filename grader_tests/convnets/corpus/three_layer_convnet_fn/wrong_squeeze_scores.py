# corpus: three_layer_convnet_fn
# verdict: wrong
# bug: Squeezes the scores, which drops the batch axis when N = 1.

def three_layer_convnet(x, params):
    """Scores (N, K) of the barebones three-layer ConvNet."""
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    h = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2))
    h = F.relu(F.conv2d(h, conv_w2, conv_b2, padding=1))
    scores = h.reshape(h.shape[0], -1) @ fc_w + fc_b
    return scores.squeeze()
