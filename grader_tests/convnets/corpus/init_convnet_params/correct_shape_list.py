# corpus: init_convnet_params
# verdict: correct
# bug: Style: a list of (shape, is_weight) pairs mapped through random_weight / zero_weight.

def init_convnet_params(channel_1, channel_2, num_classes, in_channels=3, height=32, width=32):
    """[conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] for three_layer_convnet."""
    shapes = [(channel_1, in_channels, 5, 5), (channel_1,),
              (channel_2, channel_1, 3, 3), (channel_2,),
              (channel_2 * height * width, num_classes), (num_classes,)]
    return [random_weight(s) if len(s) > 1 else zero_weight(s) for s in shapes]
