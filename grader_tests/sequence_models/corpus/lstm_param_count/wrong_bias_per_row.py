# corpus: lstm_param_count
# verdict: wrong
# bug: Counts a bias for every row of the stacked [W_x; W_h] (D + H per gate) instead of H.

def lstm_num_params(input_dim, num_hidden, num_classes):
    D, H = input_dim, num_hidden
    return 4 * (D + H) * (H + 1) + H * num_classes + num_classes
