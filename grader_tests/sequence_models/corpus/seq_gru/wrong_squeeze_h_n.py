# corpus: seq_gru
# verdict: wrong
# bug: Classifies h_n.squeeze(), which is right for B > 1 but drops the batch axis for B = 1.

class myGatedRNN(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super(myGatedRNN, self).__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_classes = num_classes
        self.rnn = nn.GRU(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        weight = next(self.parameters())
        return torch.zeros(1, batch_size, self.hidden_size, dtype=weight.dtype, device=weight.device)

    def forward(self, x):
        h0 = self.init_hidden(x.size(0))
        out, h_n = self.rnn(x, h0)
        logits = self.fc(h_n.squeeze())
        return logits
