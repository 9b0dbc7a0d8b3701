# corpus: preprocess
# verdict: correct
# bug: Style: np.tensordot over the channel axis, np.interp for the linear map.

def preprocess(data):
    weights = np.array([0.2126, 0.7152, 0.0722])
    y = np.tensordot(np.asarray(data, dtype=float), weights, axes=([1], [0]))
    y = y - y.reshape(len(y), -1).mean(axis=1)[:, None, None]
    sigma = y.std()
    y = np.clip(y, -3 * sigma, 3 * sigma)
    return np.interp(y, [-3 * sigma, 3 * sigma], [0.1, 0.9])
