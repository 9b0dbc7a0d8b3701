# corpus: init_convnet_params
# verdict: wrong
# bug: The seed's bug: conv_w2 is built for 32 input channels (the training cell's channel_1) instead of channel_1.

def init_convnet_params(channel_1, channel_2, num_classes, in_channels=3, height=32, width=32):
    """[conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] for three_layer_convnet."""
    conv_w1 = random_weight((channel_1, in_channels, 5, 5))
    conv_b1 = zero_weight((channel_1,))
    conv_w2 = random_weight((channel_2, 32, 3, 3))
    conv_b2 = zero_weight((channel_2,))
    fc_w = random_weight((channel_2 * height * width, num_classes))
    fc_b = zero_weight((num_classes,))
    return [conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b]
