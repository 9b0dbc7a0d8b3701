# corpus: palindrome_lstm
# verdict: correct
# bug: Style: stacks the four x- and h-weights on the fly into one (.., 4H) product per step and splits with chunk.

class LSTM(nn.Module):
    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super().__init__()
        self.seq_length = seq_length
        self.input_dim = input_dim
        self.num_hidden = num_hidden
        bx, bh = 1 / math.sqrt(input_dim), 1 / math.sqrt(num_hidden)
        for gate in "gifo":
            setattr(self, "W_%sx" % gate, nn.Parameter(torch.empty(input_dim, num_hidden).uniform_(-bx, bx)))
            setattr(self, "W_%sh" % gate, nn.Parameter(torch.empty(num_hidden, num_hidden).uniform_(-bh, bh)))
            setattr(self, "B_%s" % gate, nn.Parameter(torch.zeros(num_hidden)))
        self.W_ph = nn.Parameter(torch.empty(num_hidden, num_classes).uniform_(-bh, bh))
        self.B_y = nn.Parameter(torch.zeros(num_classes))

    def forward(self, x):
        x = x.reshape(x.shape[0], x.shape[1], -1)
        Wx = torch.cat([self.W_gx, self.W_ix, self.W_fx, self.W_ox], dim=1)
        Wh = torch.cat([self.W_gh, self.W_ih, self.W_fh, self.W_oh], dim=1)
        b = torch.cat([self.B_g, self.B_i, self.B_f, self.B_o])
        h = x.new_zeros(x.shape[0], self.num_hidden)
        c = torch.zeros_like(h)
        for t in range(x.shape[1]):
            a_g, a_i, a_f, a_o = (x[:, t] @ Wx + h @ Wh + b).chunk(4, dim=1)
            c = a_g.tanh() * a_i.sigmoid() + c * a_f.sigmoid()
            h = c.tanh() * a_o.sigmoid()
        return h @ self.W_ph + self.B_y
