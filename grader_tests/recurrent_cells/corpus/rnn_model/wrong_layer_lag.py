# corpus: rnn_model
# verdict: wrong
# bug: Updates the layers top-down inside each time step, so layer l reads layer l-1's state from the previous time step (one step of lag per layer).

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
            make = lambda i: LSTMCell(i, hidden_size, bias)
        elif mode == 'GRU':
            make = lambda i: GRUCell(i, hidden_size, bias)
        elif mode == 'RNN_TANH':
            make = lambda i: BasicRNNCell(i, hidden_size, bias, "tanh")
        elif mode == 'RNN_RELU':
            make = lambda i: BasicRNNCell(i, hidden_size, bias, "relu")
        else:
            raise ValueError("Invalid RNN mode selected.")
        self.rnn_cell_list.append(make(input_size))
        for _ in range(num_layers - 1):
            self.rnn_cell_list.append(make(hidden_size))
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, input, hx=None):
        zeros = input.new_zeros(input.size(0), self.hidden_size)
        if self.mode == 'LSTM':
            hidden = [(zeros, zeros) for _ in range(self.num_layers)]
        else:
            hidden = [zeros for _ in range(self.num_layers)]

        def h_of(state):
            return state[0] if self.mode == 'LSTM' else state

        for t in range(input.size(1)):
            for l in reversed(range(self.num_layers)):
                x = input[:, t, :] if l == 0 else h_of(hidden[l - 1])
                hidden[l] = self.rnn_cell_list[l](x, hidden[l])

        return self.fc(h_of(hidden[-1]))
