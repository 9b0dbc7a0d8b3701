# corpus: lstm_cell
# verdict: correct
# bug: Style: one fused matmul of cat([x, h]) with cat([W_x2h, W_h2h], dim=1), biases summed when present.

class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super(LSTMCell, self).__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.x2h = nn.Linear(input_size, 4 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size, bias=bias)
        self.reset_parameters()

    def reset_parameters(self):
        k = self.hidden_size ** -0.5
        for name, p in self.named_parameters():
            p.data.uniform_(-k, k)

    def forward(self, input, hx=None):
        if hx is None:
            z = input.new_zeros(input.size(0), self.hidden_size)
            hx = (z, z)
        h, c = hx
        W = torch.cat([self.x2h.weight, self.h2h.weight], dim=1)
        gates = torch.cat([input, h], dim=1) @ W.t()
        if self.bias:
            gates = gates + (self.x2h.bias + self.h2h.bias)
        H = self.hidden_size
        ifo = torch.sigmoid(torch.cat([gates[:, :2 * H], gates[:, 3 * H:]], dim=1))
        i, f, o = ifo[:, :H], ifo[:, H:2 * H], ifo[:, 2 * H:]
        g = torch.tanh(gates[:, 2 * H:3 * H])
        c_new = f * c + i * g
        return o * torch.tanh(c_new), c_new
