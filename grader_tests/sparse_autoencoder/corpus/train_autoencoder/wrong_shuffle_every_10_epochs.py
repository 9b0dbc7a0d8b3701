# corpus: train_autoencoder
# verdict: wrong
# bug: Seed bug: reshuffles only when epoch % 10 == 0.

def train_autoencoder(data, params, learning_rate, batch_size, epochs, rng):
    N, L_in = data.shape
    We = init_weights(L_in, params["L_hid"], rng)
    loss_history = []
    for epoch in range(epochs):
        if epoch % 10 == 0:
            order = rng.permutation(N)
        for start in range(0, N, batch_size):
            J, grads = ae_cost(We, data[order[start:start + batch_size]], params)
            We = {k: We[k] - learning_rate * grads[k] for k in We}
        loss_history.append(ae_cost(We, data, params)[0])
    return We, loss_history
