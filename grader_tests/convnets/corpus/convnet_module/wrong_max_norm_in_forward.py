# corpus: convnet_module
# verdict: wrong
# bug: Applies a max-norm constraint to fc's weight rows inside forward, after computing the scores,
#   through .data (so autograd does not see it): the first call is right, every later call uses
#   shrunken weights, and the backward pass uses them too.

class ThreeLayerConvNet(nn.Module):
    def __init__(self, in_channel, channel_1, channel_2, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1)
        self.fc = nn.Linear(channel_2 * 32 * 32, num_classes)
        for layer in (self.conv1, self.conv2, self.fc):
            nn.init.kaiming_normal_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        scores = self.fc(x.flatten(1))
        # max-norm regularisation: keep every class's weight row within norm 1
        self.fc.weight.data.renorm_(2, 0, 1.0)
        return scores
