# corpus: train_autoencoder
# verdict: wrong
# bug: Seed bug: np.random.seed(8) inside and np.random shuffles (same order for every rng).

def train_autoencoder(data, params, learning_rate, batch_size, epochs, rng):
    N, L_in = data.shape
    np.random.seed(8)
    We = init_weights(L_in, params['L_hid'], rng)
    loss_history = []
    for epoch in range(epochs):
        order = np.random.permutation(N)

        for start in range(0, N, batch_size):
            batch = data[order[start:start + batch_size]]
            J, grads = ae_cost(We, batch, params)
            for k in We:
                We[k] = We[k] - learning_rate * grads[k]
        loss_history.append(ae_cost(We, data, params)[0])
    return We, loss_history
