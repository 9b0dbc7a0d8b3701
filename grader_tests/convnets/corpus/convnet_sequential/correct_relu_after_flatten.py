# corpus: convnet_sequential
# verdict: correct
# bug: Style: the second ReLU after the Flatten (elementwise, so the same network), init via model.modules().

def build_sequential_convnet(channel_1, channel_2, num_classes):
    """The three-layer ConvNet as an nn.Sequential."""
    model = nn.Sequential(
        nn.Conv2d(3, channel_1, 5, padding=2),
        nn.ReLU(inplace=True),
        nn.Conv2d(channel_1, channel_2, 3, padding=1),
        nn.Flatten(start_dim=1),
        nn.ReLU(),
        nn.Linear(channel_2 * 32 * 32, num_classes),
    )
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return model
