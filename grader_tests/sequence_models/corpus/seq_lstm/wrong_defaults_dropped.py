# corpus: seq_lstm
# verdict: wrong
# bug: Drops the contract's defaults (hidden_size=150, num_classes=10): myLSTM(input_size) raises
#   TypeError; every call that passes all three arguments works.

class myLSTM(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnn = nn.LSTM(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        weight = next(self.parameters())
        return (weight.new_zeros(1, batch_size, self.hidden_size),
                weight.new_zeros(1, batch_size, self.hidden_size))

    def forward(self, x):
        out, _ = self.rnn(x, self.init_hidden(x.size(0)))
        return self.fc(out[:, -1, :])
