# corpus: confusion_matrix
# verdict: wrong
# bug: Indexes rows and columns by the sorted unique labels present (np.unique), so absent classes are dropped and the others shift.

def confusion_matrix(y_true, y_pred, num_classes):
    labels = np.unique(np.concatenate([y_true, y_pred]))
    index = {label: k for k, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for actual, predicted in zip(y_true, y_pred):
        matrix[index[actual], index[predicted]] += 1
    return matrix
