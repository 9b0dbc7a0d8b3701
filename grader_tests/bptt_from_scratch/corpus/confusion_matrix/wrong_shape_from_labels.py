# corpus: confusion_matrix
# verdict: wrong
# bug: The size is taken from the labels present (max label + 1) instead of num_classes, so absent trailing classes shrink the matrix.

def confusion_matrix(y_true, y_pred, num_classes):
    K = int(max(np.max(y_true), np.max(y_pred))) + 1
    matrix = np.zeros((K, K), dtype=int)
    for actual, predicted in zip(y_true, y_pred):
        matrix[actual, predicted] += 1
    return matrix
