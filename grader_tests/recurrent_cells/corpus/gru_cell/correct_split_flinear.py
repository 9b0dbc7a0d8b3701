# corpus: gru_cell
# verdict: correct
# bug: Style: F.linear with x2h/h2h weights, r and z computed together with one sigmoid, torch.split.

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
        with torch.no_grad():
            for w in self.parameters():
                w.uniform_(-std, std)

    def forward(self, input, hx=None):
        if hx is None:
            hx = input.new_zeros(input.size(0), self.hidden_size)
        gi = F.linear(input, self.x2h.weight, self.x2h.bias)
        gh = F.linear(hx, self.h2h.weight, self.h2h.bias)
        H = self.hidden_size
        gi_rz, gi_n = torch.split(gi, [2 * H, H], dim=1)
        gh_rz, gh_n = torch.split(gh, [2 * H, H], dim=1)
        r, z = torch.split(torch.sigmoid(gi_rz + gh_rz), H, dim=1)
        n = torch.tanh(gi_n + r * gh_n)
        return (1.0 - z) * n + z * hx
