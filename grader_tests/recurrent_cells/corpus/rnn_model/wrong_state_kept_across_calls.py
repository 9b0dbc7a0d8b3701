# corpus: rnn_model
# verdict: wrong
# bug: Keeps the hidden states in self between calls (only resetting when the batch size changes), so a second call on the same input starts from the previous call's final states instead of zeros.

class RNNModel(nn.Module):
    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super(RNNModel, self).__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.output_size = output_size

        cells = {
            'LSTM': lambda i: LSTMCell(i, hidden_size, bias),
            'GRU': lambda i: GRUCell(i, hidden_size, bias),
            'RNN_TANH': lambda i: BasicRNNCell(i, hidden_size, bias, "tanh"),
            'RNN_RELU': lambda i: BasicRNNCell(i, hidden_size, bias, "relu"),
        }
        if mode not in cells:
            raise ValueError("Invalid RNN mode selected.")
        self.rnn_cell_list = nn.ModuleList()
        for l in range(num_layers):
            self.rnn_cell_list.append(cells[mode](input_size if l == 0 else hidden_size))
        self.fc = nn.Linear(hidden_size, output_size)
        self.hidden = None

    def init_hidden(self, input):
        states = []
        for _ in range(self.num_layers):
            h = input.new_zeros(input.size(0), self.hidden_size)
            states.append((h, h.clone()) if self.mode == 'LSTM' else h)
        return states

    def forward(self, input, hx=None):
        first = self.hidden[0][0] if (self.hidden is not None and self.mode == 'LSTM') else (self.hidden[0] if self.hidden is not None else None)
        if first is None or first.size(0) != input.size(0) or first.dtype != input.dtype or first.device != input.device:
            self.hidden = self.init_hidden(input)

        hidden = list(self.hidden)
        for t in range(input.size(1)):
            x = input[:, t, :]
            for l, cell in enumerate(self.rnn_cell_list):
                hidden[l] = cell(x, hidden[l])
                x = hidden[l][0] if self.mode == 'LSTM' else hidden[l]

        # keep the states for the next batch (detached so backward still works)
        if self.mode == 'LSTM':
            self.hidden = [(h.detach(), c.detach()) for h, c in hidden]
        else:
            self.hidden = [h.detach() for h in hidden]
        return self.fc(x)
