# corpus: make_optimizers
# verdict: wrong
# bug: Adds weight decay (seed 001 tried it) although the contract asks for plain SGD.

def make_optimizers(rnn, lstm, lr):
    return (torch.optim.SGD(rnn.parameters(), lr=lr, weight_decay=1e-4),
            torch.optim.SGD(lstm.parameters(), lr=lr, weight_decay=1e-4))
