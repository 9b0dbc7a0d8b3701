# corpus: preprocess
# verdict: wrong
# bug: Luminosity weights wrong: plain average of R, G, B.

def preprocess(data):
    y = data.mean(axis=1)
    y = y - y.mean(axis=(1, 2), keepdims=True)
    s = np.std(y)
    y = np.clip(y, -3 * s, 3 * s)
    return 0.1 + 0.8 * (y + 3 * s) / (6 * s)
