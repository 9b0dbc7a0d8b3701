# corpus: preprocess
# verdict: wrong
# bug: np.squeeze on the result drops the batch axis for N = 1.

def preprocess(data):
    y = np.squeeze(0.2126 * data[:, 0] + 0.7152 * data[:, 1] + 0.0722 * data[:, 2])
    y = y - y.mean(axis=(-2, -1), keepdims=True)
    s = np.std(y)
    y = np.clip(y, -3 * s, 3 * s)
    return 0.1 + 0.8 * (y + 3 * s) / (6 * s)
