# corpus: confusion_matrix
# verdict: wrong
# bug: Each row is normalised to fractions (divided by its count) instead of returning integer counts.

def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    for actual, predicted in zip(y_true, y_pred):
        matrix[actual, predicted] += 1
    return matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
