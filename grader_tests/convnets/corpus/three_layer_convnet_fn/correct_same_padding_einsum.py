# corpus: three_layer_convnet_fn
# verdict: correct
# bug: Style: padding='same' and einsum for the fully connected layer.

def three_layer_convnet(x, params):
    """Scores (N, K) of the barebones three-layer ConvNet."""
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    h = F.relu(F.conv2d(x, conv_w1, conv_b1, padding="same"))
    h = F.relu(F.conv2d(h, conv_w2, conv_b2, padding="same"))
    return torch.einsum("nd,dk->nk", h.flatten(start_dim=1), fc_w) + fc_b
