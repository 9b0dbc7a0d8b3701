# corpus: convnet_module
# verdict: correct
# bug: Style: parameter-free nn.ReLU / nn.Flatten submodules and an init loop over self.modules() with nonlinearity='relu'.

class ThreeLayerConvNet(nn.Module):
    def __init__(self, in_channel, channel_1, channel_2, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channel, channel_1, 5, 1, 2)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(channel_1, channel_2, 3, 1, 1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(channel_2 * 32 * 32, num_classes, bias=True)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        return self.fc(self.flatten(x))
