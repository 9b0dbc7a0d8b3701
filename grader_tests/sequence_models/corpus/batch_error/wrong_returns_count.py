# corpus: batch_error
# verdict: wrong
# bug: Returns the number of misclassified samples, not the fraction.

def batch_error(outputs, labels):
    predicted = outputs.argmax(dim=1)
    return float((predicted != labels).sum().item())
