# corpus: train_autoencoder
# verdict: wrong
# bug: Shuffles once before the first epoch; every epoch uses the same order.

def train_autoencoder(data, params, learning_rate, batch_size, epochs, rng):
    N, L_in = data.shape
    We = init_weights(L_in, params["L_hid"], rng)
    order = rng.permutation(N)
    loss_history = []
    for epoch in range(epochs):
        for start in range(0, N, batch_size):
            J, grads = ae_cost(We, data[order[start:start + batch_size]], params)
            We = {k: We[k] - learning_rate * grads[k] for k in We}
        loss_history.append(ae_cost(We, data, params)[0])
    return We, loss_history
