# corpus: batch_error
# verdict: correct
# bug: Style: 1 - accuracy with torch.eq and sum over the batch size.

def batch_error(outputs, labels):
    correct = torch.eq(outputs.argmax(-1), labels).sum().item()
    return 1.0 - correct / len(labels)
