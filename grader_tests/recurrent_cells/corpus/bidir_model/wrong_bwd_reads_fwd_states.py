# corpus: bidir_model
# verdict: wrong
# bug: Backward layers l>0 read the forward stack's layer l-1 output (hid_forw[l-1]) instead of the backward stack's own layer below.

class BidirRecurrentModel(nn.Module):
    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super(BidirRecurrentModel, self).__init__()
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

        self.rnn_cell_list = nn.ModuleList()
        self.rnn_cell_list_rev = nn.ModuleList()
        for l in range(num_layers):
            n_in = input_size if l == 0 else hidden_size
            self.rnn_cell_list.append(make(n_in))
            self.rnn_cell_list_rev.append(make(n_in))
        self.fc = nn.Linear(2 * hidden_size, output_size)

    def forward(self, input, hx=None):
        B, T = input.size(0), input.size(1)
        hid_forw = [input.new_zeros(B, self.hidden_size) for _ in range(self.num_layers)]
        hid_back = [input.new_zeros(B, self.hidden_size) for _ in range(self.num_layers)]
        cell_forw = [input.new_zeros(B, self.hidden_size) for _ in range(self.num_layers)]
        cell_back = [input.new_zeros(B, self.hidden_size) for _ in range(self.num_layers)]

        for ts in range(T):
            for l in range(self.num_layers):
                if l == 0:
                    in_f = input[:, ts, :]
                    in_b = input[:, T - 1 - ts, :]
                else:
                    in_f = hid_forw[l - 1]
                    in_b = hid_forw[l - 1]
                if self.mode == 'LSTM':
                    hid_forw[l], cell_forw[l] = self.rnn_cell_list[l](in_f, (hid_forw[l], cell_forw[l]))
                    hid_back[l], cell_back[l] = self.rnn_cell_list_rev[l](in_b, (hid_back[l], cell_back[l]))
                else:
                    hid_forw[l] = self.rnn_cell_list[l](in_f, hid_forw[l])
                    hid_back[l] = self.rnn_cell_list_rev[l](in_b, hid_back[l])

        return self.fc(torch.cat([hid_forw[-1], hid_back[-1]], dim=1))
