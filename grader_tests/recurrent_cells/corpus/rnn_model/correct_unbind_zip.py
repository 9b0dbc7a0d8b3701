# corpus: rnn_model
# verdict: correct
# bug: Style: cells built by a comprehension over (in, out) size pairs, time steps from input.unbind(1), layers walked with zip over cells and states.

class RNNModel(nn.Module):
    _MODES = ('LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU')

    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super().__init__()
        if mode not in self._MODES:
            raise ValueError(f"mode must be one of {self._MODES}, got {mode}")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.output_size = output_size

        def cell(n_in):
            if mode == 'LSTM':
                return LSTMCell(n_in, hidden_size, bias)
            if mode == 'GRU':
                return GRUCell(n_in, hidden_size, bias)
            return BasicRNNCell(n_in, hidden_size, bias, mode.split('_')[1].lower())

        self.rnn_cell_list = nn.ModuleList(
            [cell(input_size if l == 0 else hidden_size) for l in range(num_layers)]
        )
        self.fc = nn.Linear(hidden_size, output_size, bias=True)

    def forward(self, input, hx=None):
        states = [None] * self.num_layers
        x = None
        for x_t in input.unbind(1):
            x = x_t
            new_states = []
            for cell, st in zip(self.rnn_cell_list, states):
                st = cell(x, st)
                new_states.append(st)
                x = st[0] if self.mode == 'LSTM' else st
            states = new_states
        return self.fc(x)
