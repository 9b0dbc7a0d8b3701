# corpus: confusion_matrix
# verdict: correct
# bug: Style: a double loop over the classes counting np.sum of the joint boolean mask.

def confusion_matrix(y_true, y_pred, num_classes):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    for a in range(num_classes):
        for p in range(num_classes):
            cm[a, p] = np.sum((y_true == a) & (y_pred == p))
    return cm
