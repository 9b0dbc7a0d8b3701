# corpus: init_convnet_params
# verdict: wrong
# bug: Draws Kaiming-uniform weights (uniform in +-sqrt(6 / fan_in), the right std) instead of normal ones.

def init_convnet_params(channel_1, channel_2, num_classes, in_channels=3, height=32, width=32):
    """[conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] for three_layer_convnet."""
    def kaiming_uniform(shape, fan_in):
        bound = math.sqrt(6.0 / fan_in)
        w = (torch.rand(shape, device=device, dtype=dtype) * 2 - 1) * bound
        return w.requires_grad_(True)
    D = channel_2 * height * width
    return [kaiming_uniform((channel_1, in_channels, 5, 5), in_channels * 25), zero_weight((channel_1,)),
            kaiming_uniform((channel_2, channel_1, 3, 3), channel_1 * 9), zero_weight((channel_2,)),
            kaiming_uniform((D, num_classes), D), zero_weight((num_classes,))]
