# corpus: seq_lstm
# verdict: wrong
# bug: Classifies from the first time step's output out[:, 0] instead of the last.

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
        c0 = torch.zeros(1, batch_size, self.hidden_size, dtype=weight.dtype, device=weight.device)
        return (h0, c0)

    def forward(self, x):
        h0 = self.init_hidden(x.size(0))
        out, _ = self.rnn(x, h0)
        logits = self.fc(out[:, 0, :])
        return logits
