# corpus: convnet_sequential
# verdict: correct
# bug: Style: an OrderedDict-named Sequential with a custom Flatten module and nn.init.constant_ biases.

def build_sequential_convnet(channel_1, channel_2, num_classes):
    """The three-layer ConvNet as an nn.Sequential."""
    from collections import OrderedDict

    class Flatten(nn.Module):
        def forward(self, x):
            return x.view(x.shape[0], -1)

    model = nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(3, channel_1, kernel_size=5, padding=2)),
        ("relu1", nn.ReLU()),
        ("conv2", nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1)),
        ("relu2", nn.ReLU()),
        ("flatten", Flatten()),
        ("fc", nn.Linear(channel_2 * 32 * 32, num_classes)),
    ]))
    for name in ("conv1", "conv2", "fc"):
        layer = getattr(model, name)
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        nn.init.constant_(layer.bias, 0)
    return model
