# corpus: lstm_cell
# verdict: correct
# bug: Style: F.linear on the x2h/h2h weights, torch.split into gates, torch.addcmul for the cell update.

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
        std = 1.0 / math.sqrt(self.hidden_size)
        with torch.no_grad():
            for w in self.parameters():
                w.uniform_(-std, std)

    def forward(self, input, hx=None):
        if hx is None:
            h_prev = input.new_zeros((input.size(0), self.hidden_size))
            c_prev = input.new_zeros((input.size(0), self.hidden_size))
        else:
            h_prev, c_prev = hx
        gates = F.linear(input, self.x2h.weight, self.x2h.bias) \
            + F.linear(h_prev, self.h2h.weight, self.h2h.bias)
        i_pre, f_pre, g_pre, o_pre = torch.split(gates, self.hidden_size, dim=1)
        i_t, f_t, o_t = i_pre.sigmoid(), f_pre.sigmoid(), o_pre.sigmoid()
        g_t = g_pre.tanh()
        c_t = torch.addcmul(f_t * c_prev, i_t, g_t)
        h_t = o_t * c_t.tanh()
        return (h_t, c_t)
