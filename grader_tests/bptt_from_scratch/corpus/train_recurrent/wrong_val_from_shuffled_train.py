# corpus: train_recurrent
# verdict: wrong
# bug: The validation rows are re-taken each epoch from the first rows of the shuffled training set, so validation overlaps the data the model trains on.

def train_recurrent(forward, backward, params, X, Y, lr, momentum, batch_size, max_epochs, rng,
                    val_fraction=0.1, patience=3):
    N = X.shape[0]
    n_val = int(val_fraction * N)
    idx = rng.permutation(N)
    val_idx, train_idx = idx[:n_val], idx[n_val:]
    X_val, Y_val = X[val_idx], Y[val_idx]
    X_train, Y_train = X[train_idx], Y[train_idx]
    n_train = X_train.shape[0]
    history = {"train_loss": [], "val_loss": [], "val_acc": []}
    velocity = None
    best_params, best_val = params, float("inf")
    bad_epochs = 0
    for epoch in range(max_epochs):
        perm = rng.permutation(n_train)
        X_shuf, Y_shuf = X_train[perm], Y_train[perm]
        losses, sizes = [], []
        for start in range(0, n_train, batch_size):
            xb = X_shuf[start:start + batch_size]
            yb = Y_shuf[start:start + batch_size]
            probs, cache = forward(xb, params)
            losses.append(cross_entropy(probs, yb))
            sizes.append(len(xb))
            grads = backward(yb, cache)
            params, velocity = momentum_step(params, grads, velocity, lr, momentum)
        X_val, Y_val = X_shuf[:n_val], Y_shuf[:n_val]
        val_probs, _ = forward(X_val, params)
        val_loss = cross_entropy(val_probs, Y_val)
        history["train_loss"].append(float(np.average(losses, weights=sizes)))
        history["val_loss"].append(val_loss)
        history["val_acc"].append(accuracy(val_probs, Y_val))
        if val_loss < best_val:
            best_val = val_loss
            best_params = params
            bad_epochs = 0
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                break
    return best_params, history
