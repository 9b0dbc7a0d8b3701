# corpus: make_optimizers
# verdict: correct
# bug: Style: a generator expression over the two models, returned as a tuple.

def make_optimizers(rnn, lstm, lr):
    return tuple(optim.SGD(model.parameters(), lr=lr) for model in (rnn, lstm))
