# corpus: make_optimizers
# verdict: wrong
# bug: Builds each optimizer over the parameters of both models.

def make_optimizers(rnn, lstm, lr):
    params = list(rnn.parameters()) + list(lstm.parameters())
    return optim.SGD(params, lr=lr), optim.SGD(params, lr=lr)
