# corpus: preprocess
# verdict: wrong
# bug: Scales the input's channels in place (data[:, 0] *= 0.2126 ...) to build the luminosity.

def preprocess(data):
    data[:, 0] *= 0.2126
    data[:, 1] *= 0.7152
    data[:, 2] *= 0.0722
    y = data.sum(axis=1)
    y = y - y.mean(axis=(1, 2), keepdims=True)
    s = np.std(y)
    y = np.clip(y, -3 * s, 3 * s)
    return 0.1 + 0.8 * (y + 3 * s) / (6 * s)
