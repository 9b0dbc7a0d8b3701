# corpus: convnet_sequential
# verdict: correct
# bug: Style: a list of layers unpacked into nn.Sequential, weights drawn with nn.init.normal_(std=sqrt(2 / fan_in)).

def build_sequential_convnet(channel_1, channel_2, num_classes):
    """The three-layer ConvNet as an nn.Sequential."""
    conv1 = nn.Conv2d(3, channel_1, (5, 5), stride=1, padding=2)
    conv2 = nn.Conv2d(channel_1, channel_2, (3, 3), stride=1, padding=1)
    fc = nn.Linear(channel_2 * 32 * 32, num_classes)
    for layer in (conv1, conv2, fc):
        fan_in = layer.weight.shape[1:].numel()
        nn.init.normal_(layer.weight, mean=0.0, std=math.sqrt(2.0 / fan_in))
        nn.init.zeros_(layer.bias)
    layers = [conv1, nn.ReLU(), conv2, nn.ReLU(), nn.Flatten(), fc]
    return nn.Sequential(*layers)
