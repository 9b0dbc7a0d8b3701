# corpus: convnet_module
# verdict: correct
# bug: Style: weight.normal_(0, sqrt(2 / fan_in)) and bias.zero_() under torch.no_grad(), fc declared first, reshape in forward.

class ThreeLayerConvNet(nn.Module):
    def __init__(self, in_channel, channel_1, channel_2, num_classes):
        super().__init__()
        self.fc = nn.Linear(channel_2 * 32 * 32, num_classes)
        self.conv1 = nn.Conv2d(in_channel, channel_1, kernel_size=(5, 5), padding=(2, 2))
        self.conv2 = nn.Conv2d(channel_1, channel_2, kernel_size=(3, 3), padding=(1, 1))
        with torch.no_grad():
            for layer in (self.conv1, self.conv2, self.fc):
                fan_in = layer.weight[0].numel()
                layer.weight.normal_(0.0, math.sqrt(2.0 / fan_in))
                layer.bias.zero_()

    def forward(self, x):
        h = self.conv2(self.conv1(x).relu()).relu()
        return self.fc(h.reshape(h.shape[0], -1))
