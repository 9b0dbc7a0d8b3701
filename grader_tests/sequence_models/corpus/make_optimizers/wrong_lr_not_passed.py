# corpus: make_optimizers
# verdict: wrong
# bug: Does not pass lr, so SGD uses its default learning rate.

def make_optimizers(rnn, lstm, lr):
    return torch.optim.SGD(rnn.parameters()), torch.optim.SGD(lstm.parameters())
