# corpus: seq_gru
# verdict: wrong
# bug: init_hidden creates h0 with the module's dtype but always on the CPU (seed 001 forgot the device), so a GPU model fails.

class myGatedRNN(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super(myGatedRNN, self).__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_classes = num_classes
        self.rnn = nn.GRU(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        weight = next(self.parameters())
        return torch.zeros(1, batch_size, self.hidden_size, dtype=weight.dtype)

    def forward(self, x):
        h0 = self.init_hidden(x.size(0))
        out, _ = self.rnn(x, h0)
        logits = self.fc(out[:, -1, :])
        return logits
