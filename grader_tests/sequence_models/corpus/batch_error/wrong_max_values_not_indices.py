# corpus: batch_error
# verdict: wrong
# bug: Compares the maximum values returned by torch.max with the labels instead of the indices.

def batch_error(outputs, labels):
    predicted = torch.max(outputs, 1)[0]
    return float((predicted != labels).float().mean())
