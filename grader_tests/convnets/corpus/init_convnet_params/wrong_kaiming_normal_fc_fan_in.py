# corpus: init_convnet_params
# verdict: wrong
# bug: Calls nn.init.kaiming_normal_ on fc_w of shape (D, K), whose fan_in it takes as K = num_classes, not D.

def init_convnet_params(channel_1, channel_2, num_classes, in_channels=3, height=32, width=32):
    """[conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] for three_layer_convnet."""
    def weight(*shape):
        w = torch.empty(*shape, device=device, dtype=dtype)
        nn.init.kaiming_normal_(w, nonlinearity="relu")
        return w.requires_grad_()
    return [weight(channel_1, in_channels, 5, 5), zero_weight((channel_1,)),
            weight(channel_2, channel_1, 3, 3), zero_weight((channel_2,)),
            weight(channel_2 * height * width, num_classes), zero_weight((num_classes,))]
