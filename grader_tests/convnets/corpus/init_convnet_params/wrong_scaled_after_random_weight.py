# corpus: init_convnet_params
# verdict: wrong
# bug: Multiplies random_weight's output by sqrt(2 / fan_in) again: the weights are scaled twice and are no longer leaf tensors.

def init_convnet_params(channel_1, channel_2, num_classes, in_channels=3, height=32, width=32):
    """[conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] for three_layer_convnet."""
    conv_w1 = random_weight((channel_1, in_channels, 5, 5)) * math.sqrt(2.0 / (in_channels * 25))
    conv_w2 = random_weight((channel_2, channel_1, 3, 3)) * math.sqrt(2.0 / (channel_1 * 9))
    fc_w = random_weight((channel_2 * height * width, num_classes)) * math.sqrt(2.0 / (channel_2 * height * width))
    return [conv_w1, zero_weight((channel_1,)), conv_w2, zero_weight((channel_2,)),
            fc_w, zero_weight((num_classes,))]
