# corpus: seq_rnn
# verdict: wrong
# bug: The constructor defaults to hidden_size=128 (copied from a tutorial) while the contract says
#   hidden_size=150: myRNN(input_size) builds another model; every call that passes it works.

class myRNN(nn.Module):
    def __init__(self, input_size, hidden_size=128, num_classes=10):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        weight = next(self.parameters())
        return torch.zeros(1, batch_size, self.hidden_size, device=weight.device, dtype=weight.dtype)

    def forward(self, x):
        out, _ = self.rnn(x, self.init_hidden(x.size(0)))
        return self.fc(out[:, -1, :])
