# corpus: make_optimizers
# verdict: correct
# bug: Style: parameter-group dicts with the lr inside each group.

def make_optimizers(rnn, lstm, lr):
    opt_rnn = torch.optim.SGD([{"params": list(rnn.parameters()), "lr": lr}], lr=lr)
    opt_lstm = torch.optim.SGD([{"params": list(lstm.parameters()), "lr": lr}], lr=lr)
    return opt_rnn, opt_lstm
