# corpus: bidir_model
# verdict: wrong
# bug: Builds fc as Linear(H, output_size) and feeds it h_fwd + h_bwd instead of Linear(2H) on the concatenation.

class BidirRecurrentModel(nn.Module):
    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super(BidirRecurrentModel, self).__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.output_size = output_size

        self.rnn_cell_list = nn.ModuleList()
        self.rnn_cell_list_rev = nn.ModuleList()
        for l in range(self.num_layers):
            in_size = self.input_size if l == 0 else self.hidden_size
            self.rnn_cell_list.append(self._make_cell(in_size))
            self.rnn_cell_list_rev.append(self._make_cell(in_size))

        self.fc = nn.Linear(self.hidden_size, self.output_size)

    def _make_cell(self, in_size):
        if self.mode == 'LSTM':
            return LSTMCell(in_size, self.hidden_size, self.bias)
        elif self.mode == 'GRU':
            return GRUCell(in_size, self.hidden_size, self.bias)
        elif self.mode == 'RNN_TANH':
            return BasicRNNCell(in_size, self.hidden_size, self.bias, "tanh")
        elif self.mode == 'RNN_RELU':
            return BasicRNNCell(in_size, self.hidden_size, self.bias, "relu")
        raise ValueError("Invalid RNN mode selected.")

    def _zero_state(self, input):
        h0 = input.new_zeros(input.size(0), self.hidden_size)
        if self.mode == 'LSTM':
            return (h0, h0)
        return h0

    def forward(self, input, hx=None):
        seq_len = input.size(1)
        hid_fwd = [self._zero_state(input) for _ in range(self.num_layers)]
        hid_bwd = [self._zero_state(input) for _ in range(self.num_layers)]

        for t in range(seq_len):
            x_f = input[:, t, :]
            x_b = input[:, seq_len - 1 - t, :]
            for l in range(self.num_layers):
                hid_fwd[l] = self.rnn_cell_list[l](x_f, hid_fwd[l])
                hid_bwd[l] = self.rnn_cell_list_rev[l](x_b, hid_bwd[l])
                if self.mode == 'LSTM':
                    x_f, x_b = hid_fwd[l][0], hid_bwd[l][0]
                else:
                    x_f, x_b = hid_fwd[l], hid_bwd[l]

        out = x_f + x_b
        return self.fc(out)
