# corpus: seq_rnn
# verdict: wrong
# bug: init_hidden creates h0 on the module's device but always in float32, so a float64 model fails.

class myRNN(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super(myRNN, self).__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_classes = num_classes
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        weight = next(self.parameters())
        return torch.zeros(1, batch_size, self.hidden_size, device=weight.device)

    def forward(self, x):
        h0 = self.init_hidden(x.size(0))
        out, _ = self.rnn(x, h0)
        logits = self.fc(out[:, -1, :])
        return logits
