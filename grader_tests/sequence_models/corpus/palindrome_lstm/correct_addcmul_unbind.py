# corpus: palindrome_lstm
# verdict: correct
# bug: Style: a small gate helper with F.linear, unbind over time and torch.addcmul for the cell update.

class LSTM(nn.Module):
    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super(LSTM, self).__init__()
        self.seq_length, self.input_dim, self.num_hidden = seq_length, input_dim, num_hidden

        def uni(rows, cols):
            p = nn.Parameter(torch.Tensor(rows, cols))
            nn.init.uniform_(p, a=-1.0 / np.sqrt(rows), b=1.0 / np.sqrt(rows))
            return p

        self.W_gx, self.W_gh, self.B_g = uni(input_dim, num_hidden), uni(num_hidden, num_hidden), nn.Parameter(torch.zeros(num_hidden))
        self.W_ix, self.W_ih, self.B_i = uni(input_dim, num_hidden), uni(num_hidden, num_hidden), nn.Parameter(torch.zeros(num_hidden))
        self.W_fx, self.W_fh, self.B_f = uni(input_dim, num_hidden), uni(num_hidden, num_hidden), nn.Parameter(torch.zeros(num_hidden))
        self.W_ox, self.W_oh, self.B_o = uni(input_dim, num_hidden), uni(num_hidden, num_hidden), nn.Parameter(torch.zeros(num_hidden))
        self.W_ph = uni(num_hidden, num_classes)
        self.B_y = nn.Parameter(torch.zeros(num_classes))

    @staticmethod
    def _pre(x_t, h, Wx, Wh, b):
        return F.linear(x_t, Wx.t()) + F.linear(h, Wh.t(), b)

    def forward(self, x):
        if x.ndim == 2:
            x = x.unsqueeze(-1)
        h = torch.zeros(x.size(0), self.num_hidden, dtype=x.dtype, device=x.device)
        c = torch.zeros(x.size(0), self.num_hidden, dtype=x.dtype, device=x.device)
        for x_t in torch.unbind(x, 1):
            g = torch.tanh(self._pre(x_t, h, self.W_gx, self.W_gh, self.B_g))
            i = torch.sigmoid(self._pre(x_t, h, self.W_ix, self.W_ih, self.B_i))
            f = torch.sigmoid(self._pre(x_t, h, self.W_fx, self.W_fh, self.B_f))
            o = torch.sigmoid(self._pre(x_t, h, self.W_ox, self.W_oh, self.B_o))
            c = torch.addcmul(f * c, g, i)
            h = o * torch.tanh(c)
        return torch.addmm(self.B_y, h, self.W_ph)
