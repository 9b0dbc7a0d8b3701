# corpus: lstm_param_count
# verdict: wrong
# bug: Forgets the output bias B_y.

def lstm_num_params(input_dim, num_hidden, num_classes):
    H = num_hidden
    return 4 * (input_dim * H + H * H + H) + H * num_classes
