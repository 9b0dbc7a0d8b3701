# corpus: rnn_model
# verdict: wrong
# bug: Initial states use torch.zeros(..., device=input.device) without dtype, so float64 inputs fail.

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
            self.rnn_cell_list.append(LSTMCell(self.input_size, self.hidden_size, self.bias))
            for _ in range(self.num_layers - 1):
                self.rnn_cell_list.append(LSTMCell(self.hidden_size, self.hidden_size, self.bias))
        elif mode == 'GRU':
            self.rnn_cell_list.append(GRUCell(self.input_size, self.hidden_size, self.bias))
            for _ in range(self.num_layers - 1):
                self.rnn_cell_list.append(GRUCell(self.hidden_size, self.hidden_size, self.bias))
        elif mode == 'RNN_TANH':
            self.rnn_cell_list.append(BasicRNNCell(self.input_size, self.hidden_size, self.bias, "tanh"))
            for _ in range(self.num_layers - 1):
                self.rnn_cell_list.append(BasicRNNCell(self.hidden_size, self.hidden_size, self.bias, "tanh"))
        elif mode == 'RNN_RELU':
            self.rnn_cell_list.append(BasicRNNCell(self.input_size, self.hidden_size, self.bias, "relu"))
            for _ in range(self.num_layers - 1):
                self.rnn_cell_list.append(BasicRNNCell(self.hidden_size, self.hidden_size, self.bias, "relu"))
        else:
            raise ValueError("Invalid RNN mode selected.")

        self.att_fc = nn.Linear(self.hidden_size, 1)
        self.fc = nn.Linear(self.hidden_size, self.output_size)

    def forward(self, input, hx=None):
        outs = []
        batch_size = input.size(0)
        hidden = []
        for l in range(self.num_layers):
            h0 = torch.zeros(batch_size, self.hidden_size, device=input.device)
            if self.mode == 'LSTM':
                hidden.append((h0, h0))
            else:
                hidden.append(h0)

        for t in range(input.size(1)):
            layer_input = input[:, t, :]
            for l in range(self.num_layers):
                hidden[l] = self.rnn_cell_list[l](layer_input, hidden[l])
                if self.mode == 'LSTM':
                    layer_input = hidden[l][0]
                else:
                    layer_input = hidden[l]
            outs.append(layer_input)

        out = outs[-1]
        out = self.fc(out)
        return out
