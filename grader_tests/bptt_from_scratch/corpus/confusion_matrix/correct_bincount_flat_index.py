# corpus: confusion_matrix
# verdict: correct
# bug: Style: np.bincount of the flat index actual * K + predicted with minlength K * K, reshaped.

def confusion_matrix(y_true, y_pred, num_classes):
    t = np.asarray(y_true).astype(np.int64)
    p = np.asarray(y_pred).astype(np.int64)
    counts = np.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)
