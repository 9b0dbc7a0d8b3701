# corpus: batch_error
# verdict: wrong
# bug: Divides the number of errors by the number of classes instead of the batch size.

def batch_error(outputs, labels):
    predicted = outputs.argmax(dim=1)
    return (predicted != labels).sum().item() / outputs.size(1)
