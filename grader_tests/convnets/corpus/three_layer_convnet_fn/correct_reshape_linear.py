# corpus: three_layer_convnet_fn
# verdict: correct
# bug: Style: h.reshape(h.shape[0], -1) and F.linear with the transposed fc_w.

def three_layer_convnet(x, params):
    """Scores (N, K) of the barebones three-layer ConvNet."""
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    relu1 = F.relu(F.conv2d(x, weight=conv_w1, bias=conv_b1, padding=(2, 2)))
    relu2 = F.relu(F.conv2d(relu1, weight=conv_w2, bias=conv_b2, padding=(1, 1)))
    flat = relu2.reshape(relu2.shape[0], -1)
    return F.linear(flat, fc_w.t(), fc_b)
