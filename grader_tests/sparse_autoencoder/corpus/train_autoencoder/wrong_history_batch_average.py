# corpus: train_autoencoder
# verdict: wrong
# bug: loss_history holds the average of the batch costs instead of J of the whole data.

def train_autoencoder(data, params, learning_rate, batch_size, epochs, rng):
    N, L_in = data.shape
    We = init_weights(L_in, params["L_hid"], rng)
    loss_history = []
    for epoch in range(epochs):
        order = rng.permutation(N)
        costs = []
        for start in range(0, N, batch_size):
            J, grads = ae_cost(We, data[order[start:start + batch_size]], params)
            costs.append(J)
            We = {k: We[k] - learning_rate * grads[k] for k in We}
        loss_history.append(np.mean(costs))
    return We, loss_history
