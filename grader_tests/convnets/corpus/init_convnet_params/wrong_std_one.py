# corpus: init_convnet_params
# verdict: wrong
# bug: Uses plain torch.randn weights (std 1) with no Kaiming scaling.

def init_convnet_params(channel_1, channel_2, num_classes, in_channels=3, height=32, width=32):
    """[conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] for three_layer_convnet."""
    def weight(*shape):
        return torch.randn(*shape, device=device, dtype=dtype, requires_grad=True)
    return [weight(channel_1, in_channels, 5, 5), zero_weight((channel_1,)),
            weight(channel_2, channel_1, 3, 3), zero_weight((channel_2,)),
            weight(channel_2 * height * width, num_classes), zero_weight((num_classes,))]
