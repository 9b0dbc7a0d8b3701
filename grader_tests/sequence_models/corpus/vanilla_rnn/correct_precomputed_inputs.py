# corpus: vanilla_rnn
# verdict: correct
# bug: Style: projects every step's input at once with einsum, then runs the recurrence; named_parameters loop for the init.

class VanillaRNN(nn.Module):
    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super().__init__()
        self.seq_length, self.input_dim, self.num_hidden, self.num_classes = seq_length, input_dim, num_hidden, num_classes
        self.W_hx = nn.Parameter(torch.zeros(input_dim, num_hidden))
        self.W_hh = nn.Parameter(torch.zeros(num_hidden, num_hidden))
        self.B_h = nn.Parameter(torch.zeros(num_hidden))
        self.W_ph = nn.Parameter(torch.zeros(num_hidden, num_classes))
        self.B_y = nn.Parameter(torch.zeros(num_classes))
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.startswith("W_"):
                    p.uniform_(-1 / math.sqrt(p.shape[0]), 1 / math.sqrt(p.shape[0]))

    def forward(self, x):
        if x.ndim == 2:
            x = x[..., None]
        u = torch.einsum("btd,dh->bth", x, self.W_hx) + self.B_h
        h = torch.zeros(x.shape[0], self.num_hidden, dtype=x.dtype, device=x.device)
        for t in range(x.shape[1]):
            h = torch.tanh(u[:, t] + torch.mm(h, self.W_hh))
        return F.linear(h, self.W_ph.t(), self.B_y)
