# corpus: confusion_matrix
# verdict: wrong
# bug: np.bincount of the flat index without minlength, so the reshape fails (or is wrong) when the last classes are absent.

def confusion_matrix(y_true, y_pred, num_classes):
    flat = np.asarray(y_true) * num_classes + np.asarray(y_pred)
    return np.bincount(flat).reshape(num_classes, -1)
