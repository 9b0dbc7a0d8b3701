# corpus: gru_cell
# verdict: correct
# bug: Style: chunk on the summed-r/z part only and torch.lerp(n, h, z) for the blend.

class GRUCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super(GRUCell, self).__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.x2h = nn.Linear(input_size, 3 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 3 * hidden_size, bias=bias)
        self.reset_parameters()

    def reset_parameters(self):
        std = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            w.data.uniform_(-std, std)

    def forward(self, input, hx=None):
        h = input.new_zeros(input.size(0), self.hidden_size) if hx is None else hx
        x_r, x_z, x_n = self.x2h(input).chunk(3, dim=-1)
        h_r, h_z, h_n = self.h2h(h).chunk(3, dim=-1)
        r = (x_r + h_r).sigmoid()
        z = (x_z + h_z).sigmoid()
        n = (x_n + r * h_n).tanh()
        return torch.lerp(n, h, z)
