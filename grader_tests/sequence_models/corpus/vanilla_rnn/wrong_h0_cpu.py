# corpus: vanilla_rnn
# verdict: wrong
# bug: The initial hidden state is created with torch.zeros(..., dtype=x.dtype) but always on the CPU, so GPU inputs fail.

class VanillaRNN(nn.Module):
    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super(VanillaRNN, self).__init__()
        self.seq_length = seq_length
        self.input_dim = input_dim
        self.num_hidden = num_hidden
        self.num_classes = num_classes
        self.W_hx = nn.Parameter(torch.empty(input_dim, num_hidden))
        self.W_hh = nn.Parameter(torch.empty(num_hidden, num_hidden))
        self.B_h = nn.Parameter(torch.empty(num_hidden))
        self.W_ph = nn.Parameter(torch.empty(num_hidden, num_classes))
        self.B_y = nn.Parameter(torch.empty(num_classes))
        self.init_weights()

    def init_weights(self):
        for W in (self.W_hx, self.W_hh, self.W_ph):
            bound = 1.0 / math.sqrt(W.size(0))
            nn.init.uniform_(W, -bound, bound)
        nn.init.zeros_(self.B_h)
        nn.init.zeros_(self.B_y)

    def forward(self, x):
        if x.dim() == 2:
            x = x.unsqueeze(-1)
        batch_size = x.size(0)
        h_t = torch.zeros(batch_size, self.num_hidden, dtype=x.dtype)
        for t in range(x.shape[1]):
            x_t = x[:, t, :]
            h_t = torch.tanh(x_t @ self.W_hx + h_t @ self.W_hh + self.B_h)
        out = h_t @ self.W_ph + self.B_y
        return out
