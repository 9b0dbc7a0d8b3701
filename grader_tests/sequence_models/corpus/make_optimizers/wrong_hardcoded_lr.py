# corpus: make_optimizers
# verdict: wrong
# bug: Hard-codes the seed's learning rate 0.9 instead of using lr.

def make_optimizers(rnn, lstm, lr):
    return torch.optim.SGD(rnn.parameters(), lr=0.9), torch.optim.SGD(lstm.parameters(), lr=0.9)
