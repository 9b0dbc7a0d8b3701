# corpus: convnet_sequential
# verdict: wrong
# bug: The seed's bug: init_weights calls random_weight(m.weight.size()) and zero_weight(m.bias.size()) and throws the results away, so PyTorch's default init stays.

class Flatten(nn.Module):
    def forward(self, x):
        N = x.shape[0]
        return x.view(N, -1)


def build_sequential_convnet(channel_1, channel_2, num_classes):
    """The three-layer ConvNet as an nn.Sequential."""
    model = nn.Sequential(
        nn.Conv2d(3, channel_1, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1),
        nn.ReLU(),
        Flatten(),
        nn.Linear(channel_2*32*32, num_classes),
    )

    # Weight initialization
    def init_weights(m):
        if type(m) == nn.Conv2d or type(m) == nn.Linear:
            random_weight(m.weight.size())
            zero_weight(m.bias.size())
    model.apply(init_weights)
    return model
