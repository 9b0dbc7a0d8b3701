# corpus: seq_rnn
# verdict: wrong
# bug: Requires rule: keeps self.rnn = nn.RNN for its parameters but never calls it, running the tanh recurrence by hand (numbers match).

class myRNN(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super(myRNN, self).__init__()
        self.hidden_size = hidden_size
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        w = self.fc.weight
        return torch.zeros(1, batch_size, self.hidden_size, dtype=w.dtype, device=w.device)

    def forward(self, x):
        h = self.init_hidden(x.size(0))[0]
        for t in range(x.size(1)):
            h = torch.tanh(F.linear(x[:, t], self.rnn.weight_ih_l0, self.rnn.bias_ih_l0)
                           + F.linear(h, self.rnn.weight_hh_l0, self.rnn.bias_hh_l0))
        return self.fc(h)
