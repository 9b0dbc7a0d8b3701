# corpus: convnet_sequential
# verdict: wrong
# bug: Adds a 2x2 max pool after the second convolution (and a Linear sized for 16 x 16), a different network from the contract's.

def build_sequential_convnet(channel_1, channel_2, num_classes):
    """The three-layer ConvNet as an nn.Sequential."""
    model = nn.Sequential(
        nn.Conv2d(3, channel_1, kernel_size=5, padding=2), nn.ReLU(),
        nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(channel_2 * 16 * 16, num_classes))
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model
