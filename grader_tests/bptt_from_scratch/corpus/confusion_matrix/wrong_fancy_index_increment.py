# corpus: confusion_matrix
# verdict: wrong
# bug: Vectorised matrix[y_true, y_pred] += 1 with fancy indexing, which is buffered: repeated pairs are counted once.

def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    matrix[np.asarray(y_true), np.asarray(y_pred)] += 1
    return matrix
