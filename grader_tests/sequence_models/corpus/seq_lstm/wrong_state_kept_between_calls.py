# corpus: seq_lstm
# verdict: wrong
# bug: Stores (h_n, c_n) in self after each call and continues from them on the next call with the
#   same batch size, so the logits depend on what the model saw before.

class myLSTM(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnn = nn.LSTM(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)
        self.state = None

    def init_hidden(self, batch_size):
        weight = next(self.parameters())
        return (weight.new_zeros(1, batch_size, self.hidden_size),
                weight.new_zeros(1, batch_size, self.hidden_size))

    def forward(self, x):
        if self.state is None or self.state[0].size(1) != x.size(0):
            self.state = self.init_hidden(x.size(0))
        out, (h_n, c_n) = self.rnn(x, self.state)
        self.state = (h_n.detach(), c_n.detach())
        return self.fc(out[:, -1, :])
