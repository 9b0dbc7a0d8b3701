# corpus: batch_error
# verdict: wrong
# bug: Compares the predictions with labels.view(-1, 1), which broadcasts to a (B, B) matrix.

def batch_error(outputs, labels):
    predicted = outputs.argmax(dim=1)
    return float((predicted != labels.view(-1, 1)).float().mean())
