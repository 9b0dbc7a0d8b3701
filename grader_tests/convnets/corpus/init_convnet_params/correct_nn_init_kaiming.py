# corpus: init_convnet_params
# verdict: correct
# bug: Style: nn.init.kaiming_normal_(nonlinearity='relu'), with mode='fan_out' for fc_w whose (D, K) layout puts the fan-in first, and nn.init.constant_ biases.

def init_convnet_params(channel_1, channel_2, num_classes, in_channels=3, height=32, width=32):
    """[conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b] for three_layer_convnet."""
    def param(*shape, mode="fan_in"):
        t = torch.empty(*shape, device=device, dtype=dtype)
        if len(shape) == 1:
            nn.init.constant_(t, 0.0)
        else:
            nn.init.kaiming_normal_(t, mode=mode, nonlinearity="relu")
        return t.requires_grad_()
    return [param(channel_1, in_channels, 5, 5), param(channel_1),
            param(channel_2, channel_1, 3, 3), param(channel_2),
            param(channel_2 * height * width, num_classes, mode="fan_out"), param(num_classes)]
