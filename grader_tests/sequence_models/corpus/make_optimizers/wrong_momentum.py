# corpus: make_optimizers
# verdict: wrong
# bug: Adds momentum 0.9 although the contract asks for plain SGD.

def make_optimizers(rnn, lstm, lr):
    return (torch.optim.SGD(rnn.parameters(), lr=lr, momentum=0.9),
            torch.optim.SGD(lstm.parameters(), lr=lr, momentum=0.9))
