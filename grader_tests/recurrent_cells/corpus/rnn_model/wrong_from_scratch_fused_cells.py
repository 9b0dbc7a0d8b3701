# corpus: rnn_model
# verdict: wrong
# bug: From-scratch violation: steps every layer with torch's fused torch.lstm_cell / gru_cell / rnn_tanh_cell / rnn_relu_cell on the cells' x2h/h2h weights, so the numbers match.

class RNNModel(nn.Module):
    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super(RNNModel, self).__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.output_size = output_size

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
        self.rnn_cell_list = nn.ModuleList(
            [make(input_size)] + [make(hidden_size) for _ in range(num_layers - 1)])
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, input, hx=None):
        step = {
            'LSTM': torch.lstm_cell,
            'GRU': torch.gru_cell,
            'RNN_TANH': torch.rnn_tanh_cell,
            'RNN_RELU': torch.rnn_relu_cell,
        }[self.mode]
        B = input.size(0)
        zeros = input.new_zeros(B, self.hidden_size)
        states = [(zeros, zeros) if self.mode == 'LSTM' else zeros for _ in range(self.num_layers)]
        for t in range(input.size(1)):
            x = input[:, t, :]
            for l, cell in enumerate(self.rnn_cell_list):
                states[l] = step(x, states[l], cell.x2h.weight, cell.h2h.weight,
                                 cell.x2h.bias, cell.h2h.bias)
                x = states[l][0] if self.mode == 'LSTM' else states[l]
        return self.fc(x)
