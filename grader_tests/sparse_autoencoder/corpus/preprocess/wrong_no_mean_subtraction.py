# corpus: preprocess
# verdict: wrong
# bug: Does not subtract each image's mean (clips around zero anyway).

def preprocess(data):
    y = 0.2126 * data[:, 0] + 0.7152 * data[:, 1] + 0.0722 * data[:, 2]
    s = np.std(y)
    y = np.clip(y, -3 * s, 3 * s)
    return 0.1 + 0.8 * (y + 3 * s) / (6 * s)
