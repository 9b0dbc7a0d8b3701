# corpus: batch_error
# verdict: wrong
# bug: Returns a 0-d tensor instead of a Python float.

def batch_error(outputs, labels):
    predicted = outputs.argmax(dim=1)
    return (predicted != labels).float().mean()
