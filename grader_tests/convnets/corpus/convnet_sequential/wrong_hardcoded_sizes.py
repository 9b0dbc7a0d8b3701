# corpus: convnet_sequential
# verdict: wrong
# bug: Hard-codes the training cell's sizes (32 and 16 channels, 10 classes) instead of channel_1, channel_2 and num_classes.

def build_sequential_convnet(channel_1, channel_2, num_classes):
    """The three-layer ConvNet as an nn.Sequential."""
    model = nn.Sequential(
        nn.Conv2d(3, 32, kernel_size=5, padding=2), nn.ReLU(),
        nn.Conv2d(32, 16, kernel_size=3, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(16 * 32 * 32, 10))
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model
