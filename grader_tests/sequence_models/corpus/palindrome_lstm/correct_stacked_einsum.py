# corpus: palindrome_lstm
# verdict: correct
# bug: Style: stacks the gate weights into (4, D, H) and (4, H, H) tensors and computes all pre-activations with einsum.

class LSTM(nn.Module):
    GATES = ["g", "i", "f", "o"]

    def __init__(self, seq_length, input_dim, num_hidden, num_classes):
        super().__init__()
        self.seq_length = seq_length
        self.input_dim = input_dim
        self.num_hidden = num_hidden
        self.num_classes = num_classes
        for k in self.GATES:
            self.register_parameter(f"W_{k}x", nn.Parameter(torch.zeros(input_dim, num_hidden)))
            self.register_parameter(f"W_{k}h", nn.Parameter(torch.zeros(num_hidden, num_hidden)))
            self.register_parameter(f"B_{k}", nn.Parameter(torch.zeros(num_hidden)))
        self.W_ph = nn.Parameter(torch.zeros(num_hidden, num_classes))
        self.B_y = nn.Parameter(torch.zeros(num_classes))
        with torch.no_grad():
            for name, p in self.named_parameters():
                if p.dim() == 2:
                    r = p.shape[0] ** -0.5
                    p.copy_(torch.rand_like(p) * 2 * r - r)

    def forward(self, x):
        steps = x if x.dim() == 3 else x.unsqueeze(-1)
        Wx = torch.stack([getattr(self, f"W_{k}x") for k in self.GATES])
        Wh = torch.stack([getattr(self, f"W_{k}h") for k in self.GATES])
        b = torch.stack([getattr(self, f"B_{k}") for k in self.GATES])[:, None, :]
        xs = torch.einsum("btd,kdh->tkbh", steps, Wx) + b
        h = steps.new_zeros(steps.shape[0], self.num_hidden)
        c = steps.new_zeros(steps.shape[0], self.num_hidden)
        for t in range(steps.shape[1]):
            a = xs[t] + torch.einsum("bh,khj->kbj", h, Wh)
            g, i, f, o = torch.tanh(a[0]), torch.sigmoid(a[1]), torch.sigmoid(a[2]), torch.sigmoid(a[3])
            c = g * i + c * f
            h = torch.tanh(c) * o
        return h @ self.W_ph + self.B_y
