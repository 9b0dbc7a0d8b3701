# corpus: rnn_model
# verdict: correct
# bug: Style: dict of cell constructors; layer-outer loop that runs a whole layer over the sequence, stacks its outputs and feeds them to the next layer.

class RNNModel(nn.Module):
    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super(RNNModel, self).__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.output_size = output_size

        builders = {
            'LSTM': lambda n_in: LSTMCell(n_in, hidden_size, bias),
            'GRU': lambda n_in: GRUCell(n_in, hidden_size, bias),
            'RNN_TANH': lambda n_in: BasicRNNCell(n_in, hidden_size, bias, nonlinearity="tanh"),
            'RNN_RELU': lambda n_in: BasicRNNCell(n_in, hidden_size, bias, nonlinearity="relu"),
        }
        if mode not in builders:
            raise ValueError("Invalid RNN mode selected: %r" % (mode,))
        sizes = [input_size] + [hidden_size] * (num_layers - 1)
        self.rnn_cell_list = nn.ModuleList([builders[mode](n) for n in sizes])
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, input, hx=None):
        seq = input
        for cell in self.rnn_cell_list:
            state = None
            outputs = []
            for t in range(seq.size(1)):
                state = cell(seq[:, t], state)
                outputs.append(state[0] if isinstance(state, tuple) else state)
            seq = torch.stack(outputs, dim=1)
        return self.fc(seq[:, -1])
