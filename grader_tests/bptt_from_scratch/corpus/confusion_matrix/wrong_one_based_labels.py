# corpus: confusion_matrix
# verdict: wrong
# bug: Treats the labels as 1-based (matrix[actual - 1, predicted - 1]), so class 0 wraps to the last row/column.

def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    for actual, predicted in zip(y_true, y_pred):
        matrix[actual - 1, predicted - 1] += 1
    return matrix
