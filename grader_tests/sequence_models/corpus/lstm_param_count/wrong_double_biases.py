# corpus: lstm_param_count
# verdict: wrong
# bug: Counts two biases per gate (b_ih and b_hh, as torch's nn.LSTM has) although this LSTM has one.

def lstm_num_params(input_dim, num_hidden, num_classes):
    H = num_hidden
    return 4 * (input_dim * H + H * H + 2 * H) + H * num_classes + num_classes
