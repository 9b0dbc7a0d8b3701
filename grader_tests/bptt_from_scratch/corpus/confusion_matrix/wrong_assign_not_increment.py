# corpus: confusion_matrix
# verdict: wrong
# bug: Sets matrix[actual, predicted] = 1 instead of adding 1, so repeated pairs are counted once.

def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    for actual, predicted in zip(y_true, y_pred):
        matrix[actual, predicted] = 1
    return matrix
