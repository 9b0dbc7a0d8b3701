# corpus: make_optimizers
# verdict: wrong
# bug: Returns (opt_lstm, opt_rnn) instead of (opt_rnn, opt_lstm).

def make_optimizers(rnn, lstm, lr):
    opt_rnn = optim.SGD(rnn.parameters(), lr=lr)
    opt_lstm = optim.SGD(lstm.parameters(), lr=lr)
    return opt_lstm, opt_rnn
