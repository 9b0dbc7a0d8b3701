# corpus: palindrome_lstm
# verdict: wrong
# bug: Creates h_0 and c_0 on self.device, fixed to the CPU in the constructor (seed 003), so GPU inputs fail.

class LSTM(nn.Module):
    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super(LSTM, self).__init__()
        self.seq_length = seq_length
        self.input_dim = input_dim
        self.num_hidden = num_hidden
        self.num_classes = num_classes
        self.device = torch.device("cpu")

        def x_weight():
            return nn.Parameter(torch.empty(input_dim, num_hidden))

        def h_weight():
            return nn.Parameter(torch.empty(num_hidden, num_hidden))

        def bias():
            return nn.Parameter(torch.zeros(num_hidden))

        self.W_gx, self.W_gh, self.B_g = x_weight(), h_weight(), bias()
        self.W_ix, self.W_ih, self.B_i = x_weight(), h_weight(), bias()
        self.W_fx, self.W_fh, self.B_f = x_weight(), h_weight(), bias()
        self.W_ox, self.W_oh, self.B_o = x_weight(), h_weight(), bias()
        self.W_ph = nn.Parameter(torch.empty(num_hidden, num_classes))
        self.B_y = nn.Parameter(torch.zeros(num_classes))
        self.init_weights()

    def init_weights(self):
        for name, param in self.named_parameters():
            if name.startswith("W"):
                n = param.size(0)
                nn.init.uniform_(param, -1 / math.sqrt(n), 1 / math.sqrt(n))

    def forward(self, x):
        if x.dim() == 2:
            x = x.unsqueeze(2)
        batch_size = x.size(0)
        h_t = torch.zeros(batch_size, self.num_hidden, dtype=x.dtype, device=self.device)
        c_t = torch.zeros(batch_size, self.num_hidden, dtype=x.dtype, device=self.device)
        for t in range(x.size(1)):
            x_t = x[:, t]
            g_t = torch.tanh(x_t @ self.W_gx + h_t @ self.W_gh + self.B_g)
            i_t = torch.sigmoid(x_t @ self.W_ix + h_t @ self.W_ih + self.B_i)
            f_t = torch.sigmoid(x_t @ self.W_fx + h_t @ self.W_fh + self.B_f)
            o_t = torch.sigmoid(x_t @ self.W_ox + h_t @ self.W_oh + self.B_o)
            c_t = g_t * i_t + c_t * f_t
            h_t = torch.tanh(c_t) * o_t
        p_t = h_t @ self.W_ph + self.B_y
        return p_t
