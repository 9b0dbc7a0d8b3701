# corpus: lstm_param_count
# verdict: wrong
# bug: Forgets the four gate biases B_g, B_i, B_f, B_o.

def lstm_num_params(input_dim, num_hidden, num_classes):
    D, H, C = input_dim, num_hidden, num_classes
    return 4 * (D * H + H * H) + H * C + C
