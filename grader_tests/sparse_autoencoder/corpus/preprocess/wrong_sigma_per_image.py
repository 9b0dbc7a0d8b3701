# corpus: preprocess
# verdict: wrong
# bug: sigma computed per image instead of over the whole batch.

def preprocess(data):
    y = 0.2126 * data[:, 0] + 0.7152 * data[:, 1] + 0.0722 * data[:, 2]
    y = y - y.mean(axis=(1, 2), keepdims=True)
    s = np.std(y, axis=(1, 2), keepdims=True) + 1e-12
    y = np.clip(y, -3 * s, 3 * s)
    return 0.1 + 0.8 * (y + 3 * s) / (6 * s)
