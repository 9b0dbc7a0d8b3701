# corpus: rnn_model
# verdict: wrong
# bug: LSTM special case only carries h between time steps and passes a fresh zero cell state to every step, so the LSTM memory c is lost.

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
            elif mode == 'RNN_TANH':
                self.rnn_cell_list.append(BasicRNNCell(in_size, hidden_size, bias, "tanh"))
            elif mode == 'RNN_RELU':
                self.rnn_cell_list.append(BasicRNNCell(in_size, hidden_size, bias, "relu"))
            else:
                raise ValueError("Invalid RNN mode selected.")
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, input, hx=None):
        batch_size = input.size(0)
        hid_state = [input.new_zeros(batch_size, self.hidden_size) for _ in range(self.num_layers)]

        for ts in range(input.size(1)):
            for l in range(self.num_layers):
                layer_in = input[:, ts, :] if l == 0 else hid_state[l - 1]
                if self.mode == 'LSTM':
                    c_prev = input.new_zeros(batch_size, self.hidden_size)
                    hid_state[l], _ = self.rnn_cell_list[l](layer_in, (hid_state[l], c_prev))
                else:
                    hid_state[l] = self.rnn_cell_list[l](layer_in, hid_state[l])

        return self.fc(hid_state[-1])
