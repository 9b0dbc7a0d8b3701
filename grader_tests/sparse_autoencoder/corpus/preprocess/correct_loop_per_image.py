# corpus: preprocess
# verdict: correct
# bug: Style: explicit loop over images, np.mean/np.std per step, np.minimum/np.maximum clipping.

def preprocess(data):
    N = data.shape[0]
    out = np.zeros((N, 16, 16))
    for i in range(N):
        r, g, b = data[i, 0], data[i, 1], data[i, 2]
        y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        out[i] = y - np.mean(y)
    s = np.std(out)
    out = np.maximum(np.minimum(out, 3 * s), -3 * s)
    return (out - (-3 * s)) / (6 * s) * (0.9 - 0.1) + 0.1
