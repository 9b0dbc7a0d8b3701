# corpus: convnet_sequential
# verdict: wrong
# bug: Returns the Sequential with PyTorch's default initialisation (no Kaiming-normal weights, no zero biases).

def build_sequential_convnet(channel_1, channel_2, num_classes):
    """The three-layer ConvNet as an nn.Sequential."""
    model = nn.Sequential(
        nn.Conv2d(3, channel_1, kernel_size=5, padding=2), nn.ReLU(),
        nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(channel_2 * 32 * 32, num_classes))

    return model
