# corpus: gru_cell
# verdict: correct
# bug: Style: explicit index slices and the interpolation form h' = n + z * (h - n).

class GRUCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.x2h = nn.Linear(input_size, 3 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 3 * hidden_size, bias=bias)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, a=-bound, b=bound)

    def forward(self, input, hx=None):
        H = self.hidden_size
        if hx is None:
            hx = torch.zeros(input.size(0), H, dtype=input.dtype, device=input.device)
        gx = self.x2h(input)
        gh = self.h2h(hx)
        r = torch.sigmoid(gx[:, :H] + gh[:, :H])
        z = torch.sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])
        n = torch.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
        return n + z * (hx - n)
