# corpus: seq_gru
# verdict: wrong
# bug: The constructor defaults to num_classes=2 (a binary task it was first written for) while the
#   contract says num_classes=10: myGatedRNN(input_size) has 2 logits; calls that pass it work.

class myGatedRNN(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=2):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnn = nn.GRU(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        weight = next(self.parameters())
        return weight.new_zeros(1, batch_size, self.hidden_size)

    def forward(self, x):
        out, _ = self.rnn(x, self.init_hidden(x.size(0)))
        return self.fc(out[:, -1, :])
