# corpus: init_convnet_params
# verdict: correct
# bug: Style: torch.randn * math.sqrt(2 / fan_in) by hand, requires_grad set on the resulting leaf.

def init_convnet_params(channel_1, channel_2, num_classes, in_channels=3, height=32, width=32):
    """[conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] for three_layer_convnet."""
    params = []
    D = channel_2 * height * width
    for shape, fan_in in (((channel_1, in_channels, 5, 5), in_channels * 5 * 5),
                          ((channel_2, channel_1, 3, 3), channel_1 * 3 * 3),
                          ((D, num_classes), D)):
        w = torch.randn(shape, device=device, dtype=dtype) * math.sqrt(2 / fan_in)
        w.requires_grad = True
        b = torch.zeros(shape[1] if len(shape) == 2 else shape[0], device=device, dtype=dtype)
        b.requires_grad_()
        params += [w, b]
    return params
