# corpus: gru_cell
# verdict: correct
# bug: Style: torch.einsum projections with the x2h/h2h weights, view(B, 3, H).unbind(1), optional biases handled explicitly.

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
        B, H = input.size(0), self.hidden_size
        if hx is None:
            hx = torch.zeros((B, H), dtype=input.dtype, device=input.device)
        gx = torch.einsum('bi,oi->bo', input, self.x2h.weight)
        gh = torch.einsum('bj,oj->bo', hx, self.h2h.weight)
        if self.x2h.bias is not None:
            gx = gx + self.x2h.bias
        if self.h2h.bias is not None:
            gh = gh + self.h2h.bias
        xr, xz, xn = gx.view(B, 3, H).unbind(1)
        hr, hz, hn = gh.view(B, 3, H).unbind(1)
        r = 1.0 / (1.0 + torch.exp(-(xr + hr)))
        z = 1.0 / (1.0 + torch.exp(-(xz + hz)))
        n = torch.tanh(xn + r * hn)
        return (1 - z) * n + z * hx
