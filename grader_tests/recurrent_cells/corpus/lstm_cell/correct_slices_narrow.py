# corpus: lstm_cell
# verdict: correct
# bug: Style: gates taken with explicit index slices/narrow instead of chunk, init via nn.init.uniform_.

class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.x2h = nn.Linear(input_size, 4 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size, bias=bias)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(self, input, hx=None):
        H = self.hidden_size
        if hx is None:
            h = torch.zeros(input.shape[0], H, dtype=input.dtype, device=input.device)
            c = torch.zeros_like(h)
        else:
            h, c = hx
        pre = self.x2h(input) + self.h2h(h)
        i = torch.sigmoid(pre[:, 0:H])
        f = torch.sigmoid(pre[:, H:2 * H])
        g = torch.tanh(pre.narrow(1, 2 * H, H))
        o = torch.sigmoid(pre.narrow(1, 3 * H, H))
        c_next = f * c + i * g
        h_next = o * torch.tanh(c_next)
        return h_next, c_next
