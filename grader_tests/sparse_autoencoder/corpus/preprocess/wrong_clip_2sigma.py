# corpus: preprocess
# verdict: wrong
# bug: Clips at +-2 sigma (and maps [-2 sigma, 2 sigma]).

def preprocess(data):
    y = 0.2126 * data[:, 0] + 0.7152 * data[:, 1] + 0.0722 * data[:, 2]
    y = y - y.mean(axis=(1, 2), keepdims=True)
    s = np.std(y)
    y = np.clip(y, -2 * s, 2 * s)
    return 0.1 + 0.8 * (y + 2 * s) / (4 * s)
