# corpus: convnet_sequential
# verdict: wrong
# bug: Copies random_weight(m.weight.size()) into every weight, but nn.Linear stores (out, in), so random_weight takes num_classes as the fc layer's fan_in.

def build_sequential_convnet(channel_1, channel_2, num_classes):
    """The three-layer ConvNet as an nn.Sequential."""
    model = nn.Sequential(
        nn.Conv2d(3, channel_1, kernel_size=5, padding=2), nn.ReLU(),
        nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(channel_2 * 32 * 32, num_classes))

    def init_weights(m):
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            m.weight.data.copy_(random_weight(m.weight.size()))
            m.bias.data.copy_(zero_weight(m.bias.size()))
    model.apply(init_weights)
    return model
