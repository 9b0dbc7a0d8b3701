# corpus: preprocess
# verdict: correct
# bug: Style: copies the input first, then works in place on the copy.

def preprocess(data):
    x = np.array(data, dtype=np.float64, copy=True)
    x[:, 0] *= 0.2126
    x[:, 1] *= 0.7152
    x[:, 2] *= 0.0722
    y = x.sum(axis=1)
    y -= y.mean(axis=(1, 2), keepdims=True)
    limit = 3 * y.std()
    np.clip(y, -limit, limit, out=y)
    y /= limit
    y *= 0.4
    y += 0.5
    return y
