# corpus: confusion_matrix
# verdict: correct
# bug: Style: one-hot matrices of the actual and predicted labels multiplied, E[y_true].T @ E[y_pred].

def confusion_matrix(y_true, y_pred, num_classes):
    eye = np.eye(num_classes, dtype=np.int64)
    return eye[np.asarray(y_true, dtype=int)].T @ eye[np.asarray(y_pred, dtype=int)]
