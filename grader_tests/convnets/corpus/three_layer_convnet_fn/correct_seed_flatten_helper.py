# corpus: three_layer_convnet_fn
# verdict: correct
# bug: Style: the seed's version, with its own flatten helper (x.view(N, -1)) and .mm.

def three_layer_convnet(x, params):
    """Scores (N, K) of the barebones three-layer ConvNet."""
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    conv1 = F.conv2d(x, weight=conv_w1, bias=conv_b1, padding=2)
    relu1 = F.relu(conv1)
    conv2 = F.conv2d(relu1, weight=conv_w2, bias=conv_b2, padding=1)
    relu2 = F.relu(conv2)
    relu2_flat = flatten(relu2)
    scores = relu2_flat.mm(fc_w) + fc_b
    return scores


def flatten(x):
    N = x.shape[0]  # read in N, C, H, W
    return x.view(N, -1)
