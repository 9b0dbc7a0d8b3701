# corpus: preprocess
# verdict: wrong
# bug: Seed bug: maps the data's own min/max onto [0.1, 0.9] instead of [-3 sigma, 3 sigma] (np.where clipping as in the seed).

def preprocess(data):
    y = 0.2126 * data[:, 0] + 0.7152 * data[:, 1] + 0.0722 * data[:, 2]
    y = y - y.mean(axis=(1, 2), keepdims=True)
    s = np.std(y)
    y = np.where(y > 3 * s, 3 * s, y)
    y = np.where(y < -3 * s, -3 * s, y)
    y = y - y.min()
    return y / y.max() * 0.8 + 0.1
