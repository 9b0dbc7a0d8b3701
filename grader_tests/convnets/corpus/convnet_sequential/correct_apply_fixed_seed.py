# corpus: convnet_sequential
# verdict: correct
# bug: Style: the seed's model.apply(init_weights), fixed: random_weight's results are copied in, with the (in, out) layout random_weight expects for the Linear weight.

def build_sequential_convnet(channel_1, channel_2, num_classes):
    """The three-layer ConvNet as an nn.Sequential."""
    model = nn.Sequential(
        nn.Conv2d(3, channel_1, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(channel_2 * 32 * 32, num_classes),
    )

    def init_weights(m):
        with torch.no_grad():
            if isinstance(m, nn.Conv2d):
                m.weight.copy_(random_weight(tuple(m.weight.shape)))
                m.bias.zero_()
            elif isinstance(m, nn.Linear):
                m.weight.copy_(random_weight((m.in_features, m.out_features)).t())
                m.bias.zero_()
    model.apply(init_weights)
    return model
