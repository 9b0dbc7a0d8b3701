# corpus: confusion_matrix
# verdict: wrong
# bug: np.histogram2d(y_true, y_pred, bins=K) without range=: the bins span the observed labels only, so absent classes shift the counts.

def confusion_matrix(y_true, y_pred, num_classes):
    counts, _, _ = np.histogram2d(y_true, y_pred, bins=num_classes)
    return counts.astype(int)
