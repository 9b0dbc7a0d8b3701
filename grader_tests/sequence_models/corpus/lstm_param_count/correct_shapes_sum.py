# corpus: lstm_param_count
# verdict: correct
# bug: Style: sums the element counts of a list of parameter shapes.

def lstm_num_params(input_dim, num_hidden, num_classes):
    shapes = []
    for _ in "gifo":
        shapes += [(input_dim, num_hidden), (num_hidden, num_hidden), (num_hidden,)]
    shapes += [(num_hidden, num_classes), (num_classes,)]
    total = 0
    for shape in shapes:
        n = 1
        for s in shape:
            n *= s
        total += n
    return total
