# corpus: lstm_param_count
# verdict: wrong
# bug: Counts the vanilla RNN's parameters (one gate block) instead of the LSTM's four.

def lstm_num_params(input_dim, num_hidden, num_classes):
    D, H, C = input_dim, num_hidden, num_classes
    return D * H + H * H + H + H * C + C
