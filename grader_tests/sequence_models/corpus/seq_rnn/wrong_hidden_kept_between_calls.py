# corpus: seq_rnn
# verdict: wrong
# bug: Carries h_n over to the next call as its initial state (truncated BPTT from a language-model
#   tutorial), starting from init_hidden only when the batch size changes: later calls are wrong.

class myRNN(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)
        self.hidden = None

    def init_hidden(self, batch_size):
        weight = next(self.parameters())
        return weight.new_zeros(1, batch_size, self.hidden_size)

    def forward(self, x):
        if self.hidden is None or self.hidden.size(1) != x.size(0):
            self.hidden = self.init_hidden(x.size(0))
        out, h_n = self.rnn(x, self.hidden)
        self.hidden = h_n.detach()
        return self.fc(out[:, -1, :])
