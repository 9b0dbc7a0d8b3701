# corpus: seq_gru
# verdict: wrong
# bug: Keeps the last h_n in self and feeds it back as h0 whenever its shape fits ("stateful" GRU);
#   each fresh model's first call is right, every later one starts from the previous batch's state.

class myGatedRNN(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super(myGatedRNN, self).__init__()
        self.hidden_size = hidden_size
        self.rnn = nn.GRU(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)
        self.register_buffer("h_last", None, persistent=False)

    def init_hidden(self, batch_size):
        return self.fc.weight.new_zeros(1, batch_size, self.hidden_size)

    def forward(self, x):
        h0 = self.init_hidden(x.size(0))
        if self.h_last is not None and self.h_last.shape == h0.shape:
            h0 = self.h_last
        out, h_n = self.rnn(x, h0)
        self.h_last = h_n.detach()
        return self.fc(out[:, -1])
