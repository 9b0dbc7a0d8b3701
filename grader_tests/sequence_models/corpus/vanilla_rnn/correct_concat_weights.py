# corpus: vanilla_rnn
# verdict: correct
# bug: Style: concatenates [x_t, h] and multiplies by the stacked [W_hx; W_hh] each step; h_0 via torch.zeros_like on a sliced projection.

class VanillaRNN(nn.Module):
    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super(VanillaRNN, self).__init__()
        self.seq_length = seq_length
        self.input_dim = input_dim
        self.num_hidden = num_hidden
        bx, bh = 1.0 / np.sqrt(input_dim), 1.0 / np.sqrt(num_hidden)
        self.W_hx = nn.Parameter(torch.FloatTensor(input_dim, num_hidden).uniform_(-bx, bx))
        self.W_hh = nn.Parameter(torch.FloatTensor(num_hidden, num_hidden).uniform_(-bh, bh))
        self.B_h = nn.Parameter(torch.zeros(num_hidden))
        self.W_ph = nn.Parameter(torch.FloatTensor(num_hidden, num_classes).uniform_(-bh, bh))
        self.B_y = nn.Parameter(torch.zeros(num_classes))

    def forward(self, x):
        steps = x.view(x.size(0), x.size(1), -1)
        W = torch.cat([self.W_hx, self.W_hh], dim=0)
        h = torch.zeros_like(steps[:, 0, :1]).expand(-1, self.num_hidden)
        for t in range(steps.size(1)):
            h = torch.tanh(torch.cat([steps[:, t], h], dim=1) @ W + self.B_h)
        return h.matmul(self.W_ph) + self.B_y
