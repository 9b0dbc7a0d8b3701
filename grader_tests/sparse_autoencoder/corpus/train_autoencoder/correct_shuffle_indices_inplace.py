# corpus: train_autoencoder
# verdict: correct
# bug: Style: rng.shuffle of an index array, while loop, in-place updates.

def train_autoencoder(data, params, learning_rate, batch_size, epochs, rng):
    N = data.shape[0]
    We = init_weights(data.shape[1], params["L_hid"], rng)
    history = []
    indices = np.arange(N)
    for _ in range(epochs):
        rng.shuffle(indices)
        i = 0
        while i < N:
            _, g = ae_cost(We, data[indices[i:i + batch_size]], params)
            for name in ("W1", "b1", "W2", "b2"):
                We[name] -= learning_rate * g[name]
            i += batch_size
        history.append(ae_cost(We, data, params)[0])
    return We, np.array(history)
