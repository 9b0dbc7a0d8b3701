# corpus: lstm_param_count
# verdict: wrong
# bug: Counts three gates (i, f, o) and forgets the candidate g.

def lstm_num_params(input_dim, num_hidden, num_classes):
    gate = input_dim * num_hidden + num_hidden * num_hidden + num_hidden
    return 3 * gate + num_hidden * num_classes + num_classes
