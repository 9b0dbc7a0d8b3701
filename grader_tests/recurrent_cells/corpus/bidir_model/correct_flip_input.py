# corpus: bidir_model
# verdict: correct
# bug: Style: one helper runs a stack over a sequence; the backward stack is run on input.flip(1).

class BidirRecurrentModel(nn.Module):
    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super(BidirRecurrentModel, self).__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.output_size = output_size

        factories = {
            'LSTM': lambda i: LSTMCell(i, hidden_size, bias),
            'GRU': lambda i: GRUCell(i, hidden_size, bias),
            'RNN_TANH': lambda i: BasicRNNCell(i, hidden_size, bias, "tanh"),
            'RNN_RELU': lambda i: BasicRNNCell(i, hidden_size, bias, "relu"),
        }
        if mode not in factories:
            raise ValueError("Invalid RNN mode selected.")
        sizes = [input_size] + [hidden_size] * (num_layers - 1)
        self.rnn_cell_list = nn.ModuleList([factories[mode](s) for s in sizes])
        self.rnn_cell_list_rev = nn.ModuleList([factories[mode](s) for s in sizes])
        self.fc = nn.Linear(2 * hidden_size, output_size)

    def _run_stack(self, cells, seq):
        states = [None] * len(cells)
        top = None
        for t in range(seq.size(1)):
            x = seq[:, t, :]
            for l, cell in enumerate(cells):
                states[l] = cell(x, states[l])
                x = states[l][0] if self.mode == 'LSTM' else states[l]
            top = x
        return top

    def forward(self, input, hx=None):
        h_fwd = self._run_stack(self.rnn_cell_list, input)
        h_bwd = self._run_stack(self.rnn_cell_list_rev, input.flip(1))
        return self.fc(torch.cat((h_fwd, h_bwd), dim=1))
