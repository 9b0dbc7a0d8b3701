# corpus: seq_rnn
# verdict: correct
# bug: Style: forward lets the module start from its default zero state (no h0 passed) and takes out[:, -1]; init_hidden still returns the zeros.

class myRNN(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnn = nn.RNN(input_size, hidden_size, num_layers=1, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        return next(self.rnn.parameters()).new_zeros(1, batch_size, self.hidden_size)

    def forward(self, x):
        out = self.rnn(x)[0]
        return self.fc(out[:, -1])
