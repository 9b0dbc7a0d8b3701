# corpus: init_convnet_params
# verdict: wrong
# bug: Draws the weights with numpy and wraps them with torch.tensor, which makes float64 tensors that no longer match the float32 images.

def init_convnet_params(channel_1, channel_2, num_classes, in_channels=3, height=32, width=32):
    """[conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] for three_layer_convnet."""
    def kaiming(shape, fan_in):
        return torch.tensor(np.random.randn(*shape) * np.sqrt(2.0 / fan_in), device=device, requires_grad=True)
    D = channel_2 * height * width
    return [kaiming((channel_1, in_channels, 5, 5), in_channels * 25), zero_weight((channel_1,)),
            kaiming((channel_2, channel_1, 3, 3), channel_1 * 9), zero_weight((channel_2,)),
            kaiming((D, num_classes), D), zero_weight((num_classes,))]
