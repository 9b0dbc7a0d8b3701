# corpus: make_optimizers
# verdict: wrong
# bug: Builds the LSTM's optimizer over the RNN's parameters (seed 001), so the LSTM never trains.

def make_optimizers(rnn, lstm, lr):
    optimizer_rnn = torch.optim.SGD(rnn.parameters(), lr=lr)
    optimizer_lstm = torch.optim.SGD(rnn.parameters(), lr=lr)
    return optimizer_rnn, optimizer_lstm
