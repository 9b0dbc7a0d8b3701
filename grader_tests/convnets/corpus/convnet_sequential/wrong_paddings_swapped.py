# corpus: convnet_sequential
# verdict: wrong
# bug: Pads the 5x5 convolution by 1 and the 3x3 one by 2 (the output stays 32 x 32, the values do not).

def build_sequential_convnet(channel_1, channel_2, num_classes):
    """The three-layer ConvNet as an nn.Sequential."""
    model = nn.Sequential(
        nn.Conv2d(3, channel_1, kernel_size=5, padding=1), nn.ReLU(),
        nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=2), nn.ReLU(),
        nn.Flatten(), nn.Linear(channel_2 * 32 * 32, num_classes))
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model
