# corpus: seq_lstm
# verdict: wrong
# bug: Requires rule: keeps self.rnn = nn.LSTM for its parameters but computes the LSTM recurrence by hand (numbers match).

class myLSTM(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnn = nn.LSTM(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        h0 = self.fc.weight.new_zeros(1, batch_size, self.hidden_size)
        return h0, h0.clone()

    def forward(self, x):
        h, c = (s[0] for s in self.init_hidden(x.shape[0]))
        for t in range(x.shape[1]):
            gates = (F.linear(x[:, t], self.rnn.weight_ih_l0, self.rnn.bias_ih_l0)
                     + F.linear(h, self.rnn.weight_hh_l0, self.rnn.bias_hh_l0))
            i, f, g, o = gates.chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        return self.fc(h)
