# corpus: train_autoencoder
# verdict: wrong
# bug: Updates a copy of the weights and returns the initial dict.

def train_autoencoder(data, params, learning_rate, batch_size, epochs, rng):
    N, L_in = data.shape
    We = init_weights(L_in, params["L_hid"], rng)
    current = dict(We)
    loss_history = []
    for epoch in range(epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            _, grads = ae_cost(current, data[order[start:start + batch_size]], params)
            current = {k: current[k] - learning_rate * grads[k] for k in current}
        loss_history.append(ae_cost(current, data, params)[0])
    return We, loss_history
