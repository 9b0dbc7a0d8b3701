# corpus: convnet_sequential
# verdict: wrong
# bug: A hand-written Flatten keeps its output buffer in self between calls (to save an allocation per
#   batch) and writes the batch into it with += instead of copying: the first call is right, the
#   second call on the same batch returns twice its features.

def build_sequential_convnet(channel_1, channel_2, num_classes):
    """The three-layer ConvNet as an nn.Sequential."""

    class Flatten(nn.Module):
        def __init__(self):
            super().__init__()
            self.buffer = None

        def forward(self, x):
            rows = x.reshape(x.shape[0], -1)
            if self.buffer is None or self.buffer.shape != rows.shape or self.buffer.dtype != rows.dtype:
                self.buffer = torch.zeros(rows.shape, dtype=rows.dtype, device=rows.device)
            self.buffer += rows
            return self.buffer

    model = nn.Sequential(
        nn.Conv2d(3, channel_1, kernel_size=5, padding=2), nn.ReLU(),
        nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1), nn.ReLU(),
        Flatten(), nn.Linear(channel_2 * 32 * 32, num_classes))
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model
