# corpus: lstm_param_count
# verdict: wrong
# bug: Assumes the input weights are (H, H), i.e. uses num_hidden where input_dim belongs.

def lstm_num_params(input_dim, num_hidden, num_classes):
    H = num_hidden
    return 4 * (H * H + H * H + H) + H * num_classes + num_classes
