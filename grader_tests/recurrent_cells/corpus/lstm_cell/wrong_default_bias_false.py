# corpus: lstm_cell
# verdict: wrong
# bug: The constructor defaults to bias=False while the contract says bias=True: the notebook's own
#   cells build LSTMCell(input_size, hidden_size) and get no biases; every call that passes bias works.

class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=False):
        super(LSTMCell, self).__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.x2h = nn.Linear(input_size, 4 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size, bias=bias)
        self.reset_parameters()

    def reset_parameters(self):
        std = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            w.data.uniform_(-std, std)

    def _proj(self, lin, t):
        if lin.bias is None:
            return torch.mm(t, lin.weight.t())
        return torch.addmm(lin.bias, t, lin.weight.t())

    def forward(self, input, hx=None):
        B = input.size(0)
        if hx is None:
            hx = (input.new_zeros(B, self.hidden_size), input.new_zeros(B, self.hidden_size))
        h, c = hx
        gates = (self._proj(self.x2h, input) + self._proj(self.h2h, h)).view(B, 4, self.hidden_size)
        i, f, g, o = gates.unbind(1)
        c2 = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h2 = torch.sigmoid(o) * torch.tanh(c2)
        return (h2, c2)
