# corpus: seq_gru
# verdict: wrong
# bug: Requires rule: keeps self.rnn = nn.GRU for its parameters but computes the GRU recurrence by hand (numbers match).

class myGatedRNN(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnn = nn.GRU(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        return self.fc.weight.new_zeros(1, batch_size, self.hidden_size)

    def forward(self, x):
        h = self.init_hidden(x.shape[0])[0]
        for t in range(x.shape[1]):
            gx = F.linear(x[:, t], self.rnn.weight_ih_l0, self.rnn.bias_ih_l0)
            gh = F.linear(h, self.rnn.weight_hh_l0, self.rnn.bias_hh_l0)
            xr, xz, xn = gx.chunk(3, 1)
            hr, hz, hn = gh.chunk(3, 1)
            r = torch.sigmoid(xr + hr)
            z = torch.sigmoid(xz + hz)
            n = torch.tanh(xn + r * hn)
            h = (1 - z) * n + z * h
        return self.fc(h)
