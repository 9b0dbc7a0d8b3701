# corpus: seq_lstm
# verdict: wrong
# bug: init_hidden starts the cell state at ones instead of zeros.

class myLSTM(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super(myLSTM, self).__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_classes = num_classes
        self.rnn = nn.LSTM(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        weight = next(self.parameters())
        h0 = torch.zeros(1, batch_size, self.hidden_size, dtype=weight.dtype, device=weight.device)
        c0 = torch.ones(1, batch_size, self.hidden_size, dtype=weight.dtype, device=weight.device)
        return (h0, c0)

    def forward(self, x):
        h0 = self.init_hidden(x.size(0))
        out, _ = self.rnn(x, h0)
        logits = self.fc(out[:, -1, :])
        return logits
