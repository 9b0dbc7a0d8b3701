# corpus: palindrome_lstm
# verdict: wrong
# bug: Resets h to zeros on every call but keeps the cell state c in self between calls (a
#   "stateful" memory): the first call is right, every later call starts from the last c.

class LSTM(nn.Module):
    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super().__init__()
        self.seq_length = seq_length
        self.input_dim = input_dim
        self.num_hidden = num_hidden
        for gate in "gifo":
            bx, bh = 1 / math.sqrt(input_dim), 1 / math.sqrt(num_hidden)
            setattr(self, f"W_{gate}x", nn.Parameter(torch.empty(input_dim, num_hidden).uniform_(-bx, bx)))
            setattr(self, f"W_{gate}h", nn.Parameter(torch.empty(num_hidden, num_hidden).uniform_(-bh, bh)))
            setattr(self, f"B_{gate}", nn.Parameter(torch.zeros(num_hidden)))
        bound = 1 / math.sqrt(num_hidden)
        self.W_ph = nn.Parameter(torch.empty(num_hidden, num_classes).uniform_(-bound, bound))
        self.B_y = nn.Parameter(torch.zeros(num_classes))
        self.c = None

    def forward(self, x):
        if x.dim() == 2:
            x = x.unsqueeze(-1)
        B = x.shape[0]
        h = x.new_zeros(B, self.num_hidden)
        c = self.c if self.c is not None and self.c.shape[0] == B else x.new_zeros(B, self.num_hidden)
        for t in range(x.shape[1]):
            x_t = x[:, t]
            g = torch.tanh(x_t @ self.W_gx + h @ self.W_gh + self.B_g)
            i = torch.sigmoid(x_t @ self.W_ix + h @ self.W_ih + self.B_i)
            f = torch.sigmoid(x_t @ self.W_fx + h @ self.W_fh + self.B_f)
            o = torch.sigmoid(x_t @ self.W_ox + h @ self.W_oh + self.B_o)
            c = g * i + c * f
            h = torch.tanh(c) * o
        self.c = c.detach()
        return h @ self.W_ph + self.B_y
