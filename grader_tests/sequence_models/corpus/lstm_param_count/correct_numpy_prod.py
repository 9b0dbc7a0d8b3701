# corpus: lstm_param_count
# verdict: correct
# bug: Style: a dict of parameter shapes and math.prod, returned as a Python int.

def lstm_num_params(input_dim, num_hidden, num_classes):
    shapes = {"W_x": (input_dim, num_hidden), "W_h": (num_hidden, num_hidden), "B": (num_hidden,)}
    per_gate = sum(math.prod(s) for s in shapes.values())
    output = math.prod((num_hidden, num_classes)) + num_classes
    return int(np.int64(4 * per_gate + output))
