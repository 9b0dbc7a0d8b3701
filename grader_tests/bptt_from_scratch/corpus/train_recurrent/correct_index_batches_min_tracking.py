# corpus: train_recurrent
# verdict: correct
# bug: Style: the reference's rng.permutation draws, batches indexed through the permutation (no shuffled copies), early stopping written with min(history['val_loss']) and a while loop.

def train_recurrent(forward, backward, params, X, Y, lr, momentum, batch_size, max_epochs, rng,
                    val_fraction=0.1, patience=3):
    n_val = int(val_fraction * X.shape[0])
    split = rng.permutation(X.shape[0])
    va, tr = split[:n_val], split[n_val:]
    history = {"train_loss": [], "val_loss": [], "val_acc": []}
    v = None
    best = params
    wait = 0
    epoch = 0
    while epoch < max_epochs and wait < patience:
        p = rng.permutation(len(tr))
        seen, acc_loss, start = 0, 0.0, 0
        while start < len(tr):
            batch = tr[p[start:start + batch_size]]
            out, cache = forward(X[batch], params)
            acc_loss += cross_entropy(out, Y[batch]) * batch.size
            seen += batch.size
            params, v = momentum_step(params, backward(Y[batch], cache), v, lr, momentum)
            start += batch_size
        out_val, _ = forward(X[va], params)
        loss = cross_entropy(out_val, Y[va])
        improved = not history["val_loss"] or loss < min(history["val_loss"])
        history["train_loss"].append(acc_loss / seen)
        history["val_loss"].append(loss)
        history["val_acc"].append(accuracy(out_val, Y[va]))
        if improved:
            best, wait = params, 0
        else:
            wait += 1
        epoch += 1
    return best, history
