# corpus: train_autoencoder
# verdict: correct
# bug: Style: shuffles a copy of the data with rng.permutation, slices it, records J on the shuffled copy; J computed then grads again per batch.

def train_autoencoder(data, params, learning_rate, batch_size, epochs, rng):
    We = init_weights(params["L_in"], params["L_hid"], rng)
    losses = []
    for epoch in range(epochs):
        shuffled = data[rng.permutation(len(data))]
        n_batches = int(np.ceil(len(data) / batch_size))
        for j in range(n_batches):
            batch = shuffled[j * batch_size:(j + 1) * batch_size]
            cost, _ = ae_cost(We, batch, params)
            _, gradients = ae_cost(We, batch, params)
            We = {k: w - learning_rate * gradients[k] for k, w in We.items()}
        losses.append(float(ae_cost(We, shuffled, params)[0]))
    return We, losses
