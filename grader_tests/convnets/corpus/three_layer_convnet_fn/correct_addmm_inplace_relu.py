# corpus: three_layer_convnet_fn
# verdict: correct
# bug: Style: in-place ReLU on the convolution outputs and torch.addmm for the fully connected layer.

def three_layer_convnet(x, params):
    """Scores (N, K) of the barebones three-layer ConvNet."""
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    h = F.relu(F.conv2d(x, conv_w1, conv_b1, padding=2), inplace=True)
    h = torch.relu_(F.conv2d(h, conv_w2, conv_b2, padding=1))
    return torch.addmm(fc_b, h.view(x.shape[0], -1), fc_w)
