# corpus: vanilla_rnn
# verdict: wrong
# bug: Keeps the last hidden state in self and starts the next call from it when the batch size
#   matches (to "continue" a long sequence across batches): each first call is right, the next is not.

class VanillaRNN(nn.Module):
    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super().__init__()
        self.seq_length = seq_length
        self.input_dim = input_dim
        self.num_hidden = num_hidden
        self.W_hx = nn.Parameter(torch.empty(input_dim, num_hidden).uniform_(-1 / math.sqrt(input_dim), 1 / math.sqrt(input_dim)))
        self.W_hh = nn.Parameter(torch.empty(num_hidden, num_hidden).uniform_(-1 / math.sqrt(num_hidden), 1 / math.sqrt(num_hidden)))
        self.B_h = nn.Parameter(torch.zeros(num_hidden))
        self.W_ph = nn.Parameter(torch.empty(num_hidden, num_classes).uniform_(-1 / math.sqrt(num_hidden), 1 / math.sqrt(num_hidden)))
        self.B_y = nn.Parameter(torch.zeros(num_classes))
        self.h = None

    def forward(self, x):
        if x.dim() == 2:
            x = x.unsqueeze(-1)
        if self.h is None or self.h.shape[0] != x.shape[0]:
            self.h = x.new_zeros(x.shape[0], self.num_hidden)
        h = self.h
        for t in range(x.shape[1]):
            h = torch.tanh(x[:, t] @ self.W_hx + h @ self.W_hh + self.B_h)
        self.h = h.detach()
        return h @ self.W_ph + self.B_y
