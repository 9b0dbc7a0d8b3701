# corpus: lstm_param_count
# verdict: wrong
# bug: Counts only the gates and forgets the output layer W_ph, B_y.

def lstm_num_params(input_dim, num_hidden, num_classes):
    gate = input_dim * num_hidden + num_hidden * num_hidden + num_hidden
    return 4 * gate
