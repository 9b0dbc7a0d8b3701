# corpus: make_optimizers
# verdict: wrong
# bug: Copy-paste slip: both optimizers get the same rnn.parameters() generator, which the first one exhausts, so building the LSTM's optimizer fails.

def make_optimizers(rnn, lstm, lr):
    params = rnn.parameters()
    opt_rnn = torch.optim.SGD(params, lr=lr)
    opt_lstm = torch.optim.SGD(params, lr=lr)
    return opt_rnn, opt_lstm
