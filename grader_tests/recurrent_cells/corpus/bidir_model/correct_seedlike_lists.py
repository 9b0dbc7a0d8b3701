# corpus: bidir_model
# verdict: correct
# bug: Style: seed-like explicit if/elif construction per direction and separate zero-initialised hidden/cell lists with an LSTM special case.

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
        for cell_list in (self.rnn_cell_list, self.rnn_cell_list_rev):
            if mode == 'LSTM':
                cell_list.append(LSTMCell(self.input_size, self.hidden_size, self.bias))
                for _ in range(self.num_layers - 1):
                    cell_list.append(LSTMCell(self.hidden_size, self.hidden_size, self.bias))
            elif mode == 'GRU':
                cell_list.append(GRUCell(self.input_size, self.hidden_size, self.bias))
                for _ in range(self.num_layers - 1):
                    cell_list.append(GRUCell(self.hidden_size, self.hidden_size, self.bias))
            elif mode == 'RNN_TANH':
                cell_list.append(BasicRNNCell(self.input_size, self.hidden_size, self.bias, "tanh"))
                for _ in range(self.num_layers - 1):
                    cell_list.append(BasicRNNCell(self.hidden_size, self.hidden_size, self.bias, "tanh"))
            elif mode == 'RNN_RELU':
                cell_list.append(BasicRNNCell(self.input_size, self.hidden_size, self.bias, "relu"))
                for _ in range(self.num_layers - 1):
                    cell_list.append(BasicRNNCell(self.hidden_size, self.hidden_size, self.bias, "relu"))
            else:
                raise ValueError("Invalid RNN mode selected.")
        self.fc = nn.Linear(self.hidden_size * 2, self.output_size)

    def forward(self, input, hx=None):
        B, T = input.size(0), input.size(1)
        zeros = lambda: input.new_zeros(B, self.hidden_size)
        hid_forw = [zeros() for _ in range(self.num_layers)]
        hid_back = [zeros() for _ in range(self.num_layers)]
        if self.mode == 'LSTM':
            cell_forw = [zeros() for _ in range(self.num_layers)]
            cell_back = [zeros() for _ in range(self.num_layers)]

        for ts in range(T):
            for l in range(self.num_layers):
                in_f = input[:, ts, :] if l == 0 else hid_forw[l - 1]
                in_b = input[:, -(ts + 1), :] if l == 0 else hid_back[l - 1]
                if self.mode == 'LSTM':
                    hid_forw[l], cell_forw[l] = self.rnn_cell_list[l](in_f, (hid_forw[l], cell_forw[l]))
                    hid_back[l], cell_back[l] = self.rnn_cell_list_rev[l](in_b, (hid_back[l], cell_back[l]))
                else:
                    hid_forw[l] = self.rnn_cell_list[l](in_f, hid_forw[l])
                    hid_back[l] = self.rnn_cell_list_rev[l](in_b, hid_back[l])

        return self.fc(torch.cat([hid_forw[-1], hid_back[-1]], 1))
