# corpus: batch_error
# verdict: wrong
# bug: Returns a percentage (x100, as seed 003's accuracy did) instead of a fraction.

def batch_error(outputs, labels):
    predicted = outputs.argmax(1)
    return 100.0 * (predicted != labels).sum().item() / labels.size(0)
