# corpus: preprocess
# verdict: wrong
# bug: Seed bug: subtracts each image's mean from the input array in place (values right, caller's data destroyed).

def preprocess(data):
    for i in range(data.shape[0]):
        data[i] -= data[i].mean()
    y = 0.2126 * data[:, 0] + 0.7152 * data[:, 1] + 0.0722 * data[:, 2]
    y = y - y.mean(axis=(1, 2), keepdims=True)
    s = y.std()
    y = np.clip(y, -3 * s, 3 * s)
    return 0.1 + 0.8 * (y + 3 * s) / (6 * s)
