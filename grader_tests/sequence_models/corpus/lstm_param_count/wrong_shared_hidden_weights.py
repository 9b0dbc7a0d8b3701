# corpus: lstm_param_count
# verdict: wrong
# bug: Counts one W_h shared by the four gates instead of four.

def lstm_num_params(input_dim, num_hidden, num_classes):
    D, H = input_dim, num_hidden
    return 4 * (D * H + H) + H * H + H * num_classes + num_classes
