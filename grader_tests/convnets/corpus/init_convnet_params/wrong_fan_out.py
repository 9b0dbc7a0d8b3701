# corpus: init_convnet_params
# verdict: wrong
# bug: Scales every weight by sqrt(2 / fan_out) (the number of outputs) instead of sqrt(2 / fan_in).

def init_convnet_params(channel_1, channel_2, num_classes, in_channels=3, height=32, width=32):
    """[conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] for three_layer_convnet."""
    def kaiming(shape):
        fan_out = shape[1] if len(shape) == 2 else shape[0] * shape[2] * shape[3]
        w = torch.randn(shape, device=device, dtype=dtype) * math.sqrt(2.0 / fan_out)
        w.requires_grad = True
        return w
    return [kaiming((channel_1, in_channels, 5, 5)), zero_weight((channel_1,)),
            kaiming((channel_2, channel_1, 3, 3)), zero_weight((channel_2,)),
            kaiming((channel_2 * height * width, num_classes)), zero_weight((num_classes,))]
