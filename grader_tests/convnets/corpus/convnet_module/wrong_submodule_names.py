# corpus: convnet_module
# verdict: wrong
# bug: Names the submodules conv_1, conv_2 and fc_1 instead of the contract's conv1, conv2 and fc.

class ThreeLayerConvNet(nn.Module):
    def __init__(self, in_channel, channel_1, channel_2, num_classes):
        super().__init__()
        self.conv_1 = nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2)
        self.conv_2 = nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1)
        self.fc_1 = nn.Linear(channel_2 * 32 * 32, num_classes)
        for layer in (self.conv_1, self.conv_2, self.fc_1):
            nn.init.kaiming_normal_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = F.relu(self.conv_1(x))
        x = F.relu(self.conv_2(x))
        return self.fc_1(x.flatten(1))
