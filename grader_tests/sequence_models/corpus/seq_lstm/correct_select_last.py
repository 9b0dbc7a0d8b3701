# corpus: seq_lstm
# verdict: correct
# bug: Style: init_hidden reads dtype/device from fc.weight into a kwargs dict; forward selects the last step with out.select(1, -1).

class myLSTM(nn.Module):
    def __init__(self, input_size, hidden_size=150, num_classes=10):
        super(myLSTM, self).__init__()
        self.input_size, self.hidden_size, self.num_classes = input_size, hidden_size, num_classes
        self.rnn = nn.LSTM(input_size=input_size, hidden_size=hidden_size, batch_first=True)
        self.fc = nn.Linear(in_features=hidden_size, out_features=num_classes)

    def init_hidden(self, batch_size):
        like = dict(dtype=self.fc.weight.dtype, device=self.fc.weight.device)
        zeros = lambda: torch.zeros(1, batch_size, self.hidden_size, **like)
        return (zeros(), zeros())

    def forward(self, x):
        hidden = self.init_hidden(x.size(0))
        output, hidden = self.rnn(x, hidden)
        last = output.select(1, output.size(1) - 1)
        return self.fc(last)
