# corpus: lstm_param_count
# verdict: correct
# bug: Style: factored closed form (D + H + 1) * 4H + (H + 1) * C, cast to int.

def lstm_num_params(input_dim, num_hidden, num_classes):
    return int((input_dim + num_hidden + 1) * 4 * num_hidden + (num_hidden + 1) * num_classes)
