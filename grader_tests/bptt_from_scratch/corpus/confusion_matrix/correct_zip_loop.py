# corpus: confusion_matrix
# verdict: correct
# bug: Style: a plain loop over zip(y_true, y_pred) incrementing an int matrix.

def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    for actual, predicted in zip(y_true, y_pred):
        matrix[actual, predicted] += 1
    return matrix
