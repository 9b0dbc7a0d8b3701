# corpus: make_optimizers
# verdict: wrong
# bug: Half-fixes seed 001: the LSTM optimizer gets the RNN's parameters as well as its own.

def make_optimizers(rnn, lstm, lr):
    opt_rnn = torch.optim.SGD(rnn.parameters(), lr=lr)
    opt_lstm = torch.optim.SGD(list(rnn.parameters()) + list(lstm.parameters()), lr=lr)
    return opt_rnn, opt_lstm
