# corpus: preprocess
# verdict: wrong
# bug: sigma with ddof=1 (sample std) instead of numpy's default.

def preprocess(data):
    y = 0.2126 * data[:, 0] + 0.7152 * data[:, 1] + 0.0722 * data[:, 2]
    y = y - y.mean(axis=(1, 2), keepdims=True)
    s = np.std(y, ddof=1)
    y = np.clip(y, -3 * s, 3 * s)
    return 0.1 + 0.8 * (y + 3 * s) / (6 * s)
