# corpus: preprocess
# verdict: wrong
# bug: Seed's luminosity typo: 0.02126 instead of 0.2126 for R.

def preprocess(data):
    y = data[:, 0] * 0.02126 + data[:, 1] * 0.7152 + data[:, 2] * 0.0722
    y = y - y.mean(axis=(1, 2), keepdims=True)
    s = np.std(y)
    y = np.clip(y, -3 * s, 3 * s)
    return 0.1 + 0.8 * (y + 3 * s) / (6 * s)
