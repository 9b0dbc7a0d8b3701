# corpus: lstm_cell
# verdict: wrong
# bug: From-scratch violation: keeps x2h/h2h but runs the step through an internal nn.LSTMCell whose parameters are x2h/h2h's own tensors, so the numbers match.

class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super(LSTMCell, self).__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.x2h = nn.Linear(input_size, 4 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size, bias=bias)
        self.reset_parameters()
        # torch's LSTMCell already uses the i, f, g, o layout, so just share the weights
        self._cell = nn.LSTMCell(input_size, hidden_size, bias=bias)
        self._cell.weight_ih = self.x2h.weight
        self._cell.weight_hh = self.h2h.weight
        if bias:
            self._cell.bias_ih = self.x2h.bias
            self._cell.bias_hh = self.h2h.bias

    def reset_parameters(self):
        std = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            w.data.uniform_(-std, std)

    def forward(self, input, hx=None):
        if hx is None:
            zeros = input.new_zeros(input.size(0), self.hidden_size)
            hx = (zeros, zeros)
        hy, cy = self._cell(input, hx)
        return (hy, cy)
