# corpus: batch_error
# verdict: wrong
# bug: Uses integer division for the fraction, so it is 0 unless every sample is wrong.

def batch_error(outputs, labels):
    predicted = outputs.argmax(dim=1)
    wrong = int((predicted != labels).sum())
    return float(wrong // labels.size(0))
