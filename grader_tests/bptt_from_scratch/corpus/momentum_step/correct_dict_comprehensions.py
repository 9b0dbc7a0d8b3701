# corpus: momentum_step
# verdict: correct
# bug: Style: dict comprehensions, clipping written with np.minimum/np.maximum, velocity None handled with a scalar 0.0 per key.

def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    old_v = velocity if velocity is not None else {k: 0.0 for k in params}
    clipped = {k: np.maximum(np.minimum(grads[k], clip), -clip) for k in params}
    new_v = {k: momentum * old_v[k] - lr * clipped[k] for k in params}
    new_p = {k: params[k] + new_v[k] for k in params}
    return new_p, new_v
