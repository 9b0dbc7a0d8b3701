# corpus: batch_error
# verdict: wrong
# bug: Returns the fraction classified correctly (accuracy) instead of the error.

def batch_error(outputs, labels):
    predicted = outputs.argmax(dim=1)
    return (predicted == labels).float().mean().item()
