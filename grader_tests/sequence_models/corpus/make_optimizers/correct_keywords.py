# corpus: make_optimizers
# verdict: correct
# bug: Style: keyword arguments and explicit zero momentum / weight decay.

def make_optimizers(rnn, lstm, lr):
    opt_rnn = optim.SGD(params=rnn.parameters(), lr=lr, momentum=0.0, weight_decay=0.0)
    opt_lstm = optim.SGD(params=lstm.parameters(), lr=lr, momentum=0.0, weight_decay=0.0)
    return (opt_rnn, opt_lstm)
