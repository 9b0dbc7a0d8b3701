# corpus: rnn_model
# verdict: wrong
# bug: Runs only the top cell (rnn_cell_list[-1]) over the input and skips the lower layers, which crashes when num_layers > 1 and input_size != hidden_size and is wrong otherwise.

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
        for l in range(num_layers):
            in_size = input_size if l == 0 else hidden_size
            if mode == 'LSTM':
                self.rnn_cell_list.append(LSTMCell(in_size, hidden_size, bias))
            elif mode == 'GRU':
                self.rnn_cell_list.append(GRUCell(in_size, hidden_size, bias))
            elif mode in ('RNN_TANH', 'RNN_RELU'):
                self.rnn_cell_list.append(BasicRNNCell(in_size, hidden_size, bias, mode[4:].lower()))
            else:
                raise ValueError("Invalid RNN mode selected.")
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, input, hx=None):
        # the last cell gives the output, so run the sequence through it
        cell = self.rnn_cell_list[-1]
        state = None
        for t in range(input.size(1)):
            state = cell(input[:, t, :], state)
        h_last = state[0] if self.mode == 'LSTM' else state
        return self.fc(h_last)
