# corpus: gru_cell
# verdict: wrong
# bug: From-scratch violation: calls the fused torch.gru_cell, reached through getattr(torch, 'gru' + '_cell'), with x2h/h2h's weights, so the numbers match.

class GRUCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super(GRUCell, self).__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.x2h = nn.Linear(input_size, 3 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 3 * hidden_size, bias=bias)
        self.reset_parameters()

    def reset_parameters(self):
        std = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            w.data.uniform_(-std, std)

    def forward(self, input, hx=None):
        if hx is None:
            hx = input.new_zeros(input.size(0), self.hidden_size)
        step = getattr(torch, 'gru' + '_cell')
        return step(input, hx, self.x2h.weight, self.h2h.weight, self.x2h.bias, self.h2h.bias)
