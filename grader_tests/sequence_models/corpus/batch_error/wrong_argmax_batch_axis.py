# corpus: batch_error
# verdict: wrong
# bug: Takes the argmax over the batch axis (dim 0) instead of the classes.

def batch_error(outputs, labels):
    predicted = torch.argmax(outputs, dim=0)
    return float((predicted != labels).float().mean())
