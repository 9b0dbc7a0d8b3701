# corpus: seq_rnn
# verdict: wrong
# bug: Applies a ReLU to the last step's output before fc, which the contract's logits do not have.

class myRNN(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super(myRNN, self).__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_classes = num_classes
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        weight = next(self.parameters())
        return torch.zeros(1, batch_size, self.hidden_size, dtype=weight.dtype, device=weight.device)

    def forward(self, x):
        h0 = self.init_hidden(x.size(0))
        out, _ = self.rnn(x, h0)
        logits = self.fc(torch.relu(out[:, -1, :]))
        return logits
