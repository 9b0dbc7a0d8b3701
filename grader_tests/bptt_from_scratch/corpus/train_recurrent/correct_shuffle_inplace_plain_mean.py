# corpus: train_recurrent
# verdict: correct
# bug: Style: rng.shuffle of an index array for the split and, in place, for every epoch; train_loss the plain mean of the batch losses; the best epoch tracked by its index and its params copied.

def train_recurrent(forward, backward, params, X, Y, lr, momentum, batch_size, max_epochs, rng,
                    val_fraction=0.1, patience=3):
    n = X.shape[0]
    n_val = int(val_fraction * n)
    rows = np.arange(n)
    rng.shuffle(rows)
    val_rows, tr_rows = rows[:n_val], rows[n_val:].copy()
    history = dict(train_loss=[], val_loss=[], val_acc=[])
    velocity = None
    best_epoch, best_params = -1, {k: v.copy() for k, v in params.items()}
    for epoch in range(max_epochs):
        rng.shuffle(tr_rows)
        batch_losses = []
        for b in range(math.ceil(len(tr_rows) / batch_size)):
            sel = tr_rows[b * batch_size:(b + 1) * batch_size]
            probs, cache = forward(X[sel], params)
            batch_losses.append(cross_entropy(probs, Y[sel]))
            grads = backward(Y[sel], cache)
            params, velocity = momentum_step(params, grads, velocity, lr, momentum)
        probs_val, _ = forward(X[val_rows], params)
        history["train_loss"].append(float(np.mean(batch_losses)))
        history["val_loss"].append(cross_entropy(probs_val, Y[val_rows]))
        history["val_acc"].append(accuracy(probs_val, Y[val_rows]))
        if best_epoch < 0 or history["val_loss"][-1] < history["val_loss"][best_epoch]:
            best_epoch = epoch
            best_params = {k: v.copy() for k, v in params.items()}
        elif epoch - best_epoch >= patience:
            break
    return best_params, history
