# corpus: train_recurrent
# verdict: wrong
# bug: The validation loss and accuracy are measured at the start of each epoch, before its updates, so the history lags one epoch and the 'best' params are those before the best epoch.

def train_recurrent(forward, backward, params, X, Y, lr, momentum, batch_size, max_epochs, rng,
                    val_fraction=0.1, patience=3):
    N = X.shape[0]
    n_val = int(val_fraction * N)
    idx = rng.permutation(N)
    X_val, Y_val = X[idx[:n_val]], Y[idx[:n_val]]
    X_train, Y_train = X[idx[n_val:]], Y[idx[n_val:]]
    n_train = X_train.shape[0]
    history = {"train_loss": [], "val_loss": [], "val_acc": []}
    velocity = None
    best_params, best_val = params, float("inf")
    bad_epochs = 0
    for epoch in range(max_epochs):
        val_probs, _ = forward(X_val, params)
        val_loss = cross_entropy(val_probs, Y_val)
        history["val_loss"].append(val_loss)
        history["val_acc"].append(accuracy(val_probs, Y_val))
        if val_loss < best_val:
            best_val, best_params, bad_epochs = val_loss, params, 0
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                history["val_loss"].pop()
                history["val_acc"].pop()
                break
        perm = rng.permutation(n_train)
        total = 0.0
        for start in range(0, n_train, batch_size):
            b = perm[start:start + batch_size]
            probs, cache = forward(X_train[b], params)
            total += cross_entropy(probs, Y_train[b]) * len(b)
            params, velocity = momentum_step(params, backward(Y_train[b], cache), velocity, lr, momentum)
        history["train_loss"].append(total / n_train)
    return best_params, history
