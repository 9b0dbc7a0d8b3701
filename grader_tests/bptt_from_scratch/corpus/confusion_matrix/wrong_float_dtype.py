# corpus: confusion_matrix
# verdict: wrong
# bug: The matrix is created with np.zeros((K, K)) (float64), not an integer array as the contract requires.

def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes))
    for actual, predicted in zip(y_true, y_pred):
        matrix[actual, predicted] += 1
    return matrix
