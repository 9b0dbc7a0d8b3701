# corpus: bidir_model
# verdict: correct
# bug: Style: layer-outer loops per direction keeping whole output sequences; the backward direction walks reversed(range(T)) and stores outputs at their time index.

class BidirRecurrentModel(nn.Module):
    def __init__(self, mode, input_size, hidden_size, num_layers, bias, output_size):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.output_size = output_size

        if mode == 'LSTM':
            def new_cell(i):
                return LSTMCell(i, hidden_size, bias)
        elif mode == 'GRU':
            def new_cell(i):
                return GRUCell(i, hidden_size, bias)
        elif mode in ('RNN_TANH', 'RNN_RELU'):
            act = 'tanh' if mode == 'RNN_TANH' else 'relu'

            def new_cell(i):
                return BasicRNNCell(i, hidden_size, bias, nonlinearity=act)
        else:
            raise ValueError("Invalid RNN mode selected.")

        self.rnn_cell_list = nn.ModuleList()
        self.rnn_cell_list_rev = nn.ModuleList()
        for l in range(num_layers):
            n_in = input_size if l == 0 else hidden_size
            self.rnn_cell_list.append(new_cell(n_in))
            self.rnn_cell_list_rev.append(new_cell(n_in))
        self.fc = nn.Linear(hidden_size * 2, output_size)

    def _hidden(self, state):
        return state[0] if self.mode == 'LSTM' else state

    def forward(self, input, hx=None):
        T = input.size(1)
        fwd_seq = [input[:, t] for t in range(T)]
        bwd_seq = list(fwd_seq)
        for l in range(self.num_layers):
            cell_f = self.rnn_cell_list[l]
            cell_b = self.rnn_cell_list_rev[l]
            st = None
            new_f = []
            for t in range(T):
                st = cell_f(fwd_seq[t], st)
                new_f.append(self._hidden(st))
            st = None
            new_b = [None] * T
            for t in reversed(range(T)):
                st = cell_b(bwd_seq[t], st)
                new_b[t] = self._hidden(st)
            fwd_seq, bwd_seq = new_f, new_b
        return self.fc(torch.cat([fwd_seq[-1], bwd_seq[0]], dim=1))
