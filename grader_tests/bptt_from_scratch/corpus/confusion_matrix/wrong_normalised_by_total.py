# corpus: confusion_matrix
# verdict: wrong
# bug: Divides the counts by the number of samples, returning fractions instead of integer counts.

def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    for actual, predicted in zip(y_true, y_pred):
        matrix[actual, predicted] += 1
    return matrix / len(y_true)
