# corpus: confusion_matrix
# verdict: wrong
# bug: Rows are the predicted class and columns the actual class (matrix[predicted, actual] += 1).

def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    for actual, predicted in zip(y_true, y_pred):
        matrix[predicted, actual] += 1
    return matrix
