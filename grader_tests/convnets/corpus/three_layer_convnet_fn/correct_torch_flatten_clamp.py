# corpus: three_layer_convnet_fn
# verdict: correct
# bug: Style: torch.flatten(h, 1) and clamp(min=0) as the ReLU.

def three_layer_convnet(x, params):
    """Scores (N, K) of the barebones three-layer ConvNet."""
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    h = F.conv2d(x, conv_w1, conv_b1, stride=1, padding=2).clamp(min=0)
    h = F.conv2d(h, conv_w2, conv_b2, stride=1, padding=1).clamp(min=0)
    return torch.flatten(h, 1) @ fc_w + fc_b
