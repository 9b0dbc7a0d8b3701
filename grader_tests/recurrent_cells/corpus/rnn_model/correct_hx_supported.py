# corpus: rnn_model
# verdict: correct
# bug: Style: seed-like if/elif construction, time-outer/layer-inner loops, and an optional per-layer hx honoured when given.

class RNNModel(nn.Module):
    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super(RNNModel, self).__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.output_size = output_size

        self.rnn_cell_list = nn.ModuleList()
        if mode == 'LSTM':
            cell_cls, extra = LSTMCell, ()
        elif mode == 'GRU':
            cell_cls, extra = GRUCell, ()
        elif mode == 'RNN_TANH':
            cell_cls, extra = BasicRNNCell, ("tanh",)
        elif mode == 'RNN_RELU':
            cell_cls, extra = BasicRNNCell, ("relu",)
        else:
            raise ValueError("Invalid RNN mode selected.")
        self.rnn_cell_list.append(cell_cls(self.input_size, self.hidden_size, self.bias, *extra))
        for _ in range(self.num_layers - 1):
            self.rnn_cell_list.append(cell_cls(self.hidden_size, self.hidden_size, self.bias, *extra))

        self.att_fc = nn.Linear(self.hidden_size, 1)
        self.fc = nn.Linear(self.hidden_size, self.output_size)

    def forward(self, input, hx=None):
        B = input.size(0)
        if hx is None:
            states = []
            for _ in range(self.num_layers):
                h = input.new_zeros(B, self.hidden_size)
                c = input.new_zeros(B, self.hidden_size)
                states.append((h, c) if self.mode == 'LSTM' else h)
        else:
            states = list(hx)

        top = None
        for t in range(input.size(1)):
            x = input[:, t, :]
            for l in range(self.num_layers):
                states[l] = self.rnn_cell_list[l](x, states[l])
                x = states[l][0] if self.mode == 'LSTM' else states[l]
            top = x
        return self.fc(top)
