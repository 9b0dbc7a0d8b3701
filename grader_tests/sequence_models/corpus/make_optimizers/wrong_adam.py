# corpus: make_optimizers
# verdict: wrong
# bug: Uses Adam instead of SGD.

def make_optimizers(rnn, lstm, lr):
    return torch.optim.Adam(rnn.parameters(), lr=lr), torch.optim.Adam(lstm.parameters(), lr=lr)
