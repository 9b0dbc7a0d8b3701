# corpus: init_convnet_params
# verdict: wrong
# bug: Builds the tensors by hand with the right values but never sets requires_grad.

def init_convnet_params(channel_1, channel_2, num_classes, in_channels=3, height=32, width=32):
    """[conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] for three_layer_convnet."""
    def kaiming(shape, fan_in):
        return torch.randn(shape, device=device, dtype=dtype) * math.sqrt(2.0 / fan_in)
    D = channel_2 * height * width
    return [kaiming((channel_1, in_channels, 5, 5), in_channels * 25), torch.zeros(channel_1, device=device),
            kaiming((channel_2, channel_1, 3, 3), channel_1 * 9), torch.zeros(channel_2, device=device),
            kaiming((D, num_classes), D), torch.zeros(num_classes, device=device)]
