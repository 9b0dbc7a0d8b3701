# corpus: palindrome_lstm
# verdict: wrong
# bug: From-scratch violation: runs an nn.LSTM for the recurrence and only applies W_ph, B_y, leaving the gate parameters unused.

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
        self.lstm = nn.LSTM(input_dim, num_hidden, batch_first=True)

    def init_weights(self):
        for name, param in self.named_parameters():
            if name.startswith("W"):
                n = param.size(0)
                nn.init.uniform_(param, -1 / math.sqrt(n), 1 / math.sqrt(n))

    def forward(self, x):
        if x.dim() == 2:
            x = x.unsqueeze(2)
        batch_size = x.size(0)
        h_t = torch.zeros(batch_size, self.num_hidden, dtype=x.dtype, device=x.device)
        c_t = torch.zeros(batch_size, self.num_hidden, dtype=x.dtype, device=x.device)
        out, (h_n, c_n) = self.lstm(x, (h_t.unsqueeze(0), c_t.unsqueeze(0)))
        h_t = out[:, -1]
        p_t = h_t @ self.W_ph + self.B_y
        return p_t
