# corpus: lstm_param_count
# verdict: wrong
# bug: Counts only the hidden-to-hidden weights 4*H*H of the gates and forgets the input weights.

def lstm_num_params(input_dim, num_hidden, num_classes):
    H = num_hidden
    return 4 * H * H + 4 * H + H * num_classes + num_classes
