# corpus: vanilla_rnn
# verdict: correct
# bug: Style: reshape to (B, T, -1), x.new_zeros for h_0, unbind over time and torch.addmm.

class VanillaRNN(nn.Module):
    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super().__init__()
        self.seq_length = seq_length
        self.input_dim = input_dim
        self.num_hidden = num_hidden
        def weight(rows, cols):
            b = 1 / rows ** 0.5
            return nn.Parameter(torch.rand(rows, cols) * 2 * b - b)
        self.W_hx = weight(input_dim, num_hidden)
        self.W_hh = weight(num_hidden, num_hidden)
        self.B_h = nn.Parameter(torch.zeros(num_hidden))
        self.W_ph = weight(num_hidden, num_classes)
        self.B_y = nn.Parameter(torch.zeros(num_classes))

    def forward(self, x):
        B, T = x.shape[0], x.shape[1]
        x = x.reshape(B, T, -1)
        h = x.new_zeros(B, self.num_hidden)
        for x_t in x.unbind(dim=1):
            h = torch.tanh(torch.addmm(self.B_h, x_t, self.W_hx) + h @ self.W_hh)
        return torch.addmm(self.B_y, h, self.W_ph)
