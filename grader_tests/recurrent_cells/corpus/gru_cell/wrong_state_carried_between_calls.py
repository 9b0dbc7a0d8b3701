# corpus: gru_cell
# verdict: wrong
# bug: Keeps the last hidden state in self and starts the next call from it when hx is None (a
#   "convenience" for stepping a sequence): each call alone is right, the second call is not.

class GRUCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super(GRUCell, self).__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.x2h = nn.Linear(input_size, 3 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 3 * hidden_size, bias=bias)
        self.last_h = None
        std = 1.0 / math.sqrt(hidden_size)
        for w in self.parameters():
            w.data.uniform_(-std, std)

    def forward(self, input, hx=None):
        if hx is None:
            hx = self.last_h if self.last_h is not None and self.last_h.shape[0] == input.shape[0] \
                else input.new_zeros(input.size(0), self.hidden_size)
        x_r, x_z, x_n = self.x2h(input).chunk(3, dim=1)
        h_r, h_z, h_n = self.h2h(hx).chunk(3, dim=1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
        h_next = (1 - z) * n + z * hx
        self.last_h = h_next.detach()
        return h_next
