# corpus: train_recurrent
# verdict: correct
# bug: Style: validation rows drawn with rng.choice(N, n_val, replace=False), the training rows the sorted rest (np.setdiff1d), per-epoch index permutations from rng, train_loss summed then divided by the training size.

def train_recurrent(forward, backward, params, X, Y, lr, momentum, batch_size, max_epochs, rng,
                    val_fraction=0.1, patience=3):
    N = len(X)
    n_val = int(val_fraction * N)
    val_rows = rng.choice(N, size=n_val, replace=False)
    train_rows = np.setdiff1d(np.arange(N), val_rows)
    hist = {"train_loss": [], "val_loss": [], "val_acc": []}
    vel = None
    best_loss = np.inf
    best = params
    since_best = 0
    epoch = 0
    while epoch < max_epochs:
        epoch += 1
        order = train_rows[rng.permutation(len(train_rows))]
        loss_sum = 0.0
        for k in range(0, len(order), batch_size):
            rows = order[k:k + batch_size]
            p, cache = forward(X[rows], params)
            loss_sum += len(rows) * cross_entropy(p, Y[rows])
            params, vel = momentum_step(params, backward(Y[rows], cache), vel, lr, momentum)
        pv, _ = forward(X[val_rows], params)
        vl = cross_entropy(pv, Y[val_rows])
        hist["train_loss"].append(loss_sum / len(train_rows))
        hist["val_loss"].append(vl)
        hist["val_acc"].append(float(np.mean(np.argmax(pv, axis=1) == np.argmax(Y[val_rows], axis=1))))
        if vl < best_loss:
            best_loss, best, since_best = vl, params, 0
        else:
            since_best += 1
        if since_best == patience:
            break
    return best, hist
