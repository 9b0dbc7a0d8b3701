# corpus: seq_lstm
# verdict: correct
# bug: Style: classifies h_n[-1] (the last layer's final state) and builds init_hidden with new_zeros on a parameter.

class myLSTM(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnn = nn.LSTM(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        p = self.rnn.weight_hh_l0
        h0 = p.new_zeros((1, batch_size, self.hidden_size))
        return h0, torch.zeros_like(h0)

    def forward(self, x):
        out, (h_n, _) = self.rnn(x, self.init_hidden(x.shape[0]))
        return self.fc(h_n[-1])
