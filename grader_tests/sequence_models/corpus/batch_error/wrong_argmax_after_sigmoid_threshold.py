# corpus: batch_error
# verdict: wrong
# bug: Thresholds sigmoid(outputs) at 0.5 per class as if it were multi-label, and counts any mismatch with the one-hot labels.

def batch_error(outputs, labels):
    predicted = (torch.sigmoid(outputs) > 0.5).long()
    target = F.one_hot(labels, outputs.size(1))
    return float((predicted != target).any(dim=1).float().mean())
