# corpus: train_autoencoder
# verdict: correct
# bug: Style: rng.choice(N, N, replace=False) order, np.array_split at multiples of batch_size.

def train_autoencoder(data, params, learning_rate, batch_size, epochs, rng):
    N, L_in = data.shape
    We = init_weights(L_in, params["L_hid"], rng)
    loss_history = []
    for epoch in range(epochs):
        order = rng.choice(N, size=N, replace=False)
        for idx in np.split(order, np.arange(batch_size, N, batch_size)):
            grads = ae_cost(We, data[idx], params)[1]
            We = {k: We[k] - learning_rate * grads[k] for k in We}
        loss_history.append(ae_cost(We, data, params)[0])
    return We, loss_history
