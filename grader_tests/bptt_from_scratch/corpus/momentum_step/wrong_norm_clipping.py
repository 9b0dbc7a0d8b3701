# corpus: momentum_step
# verdict: wrong
# bug: Clips each gradient by its norm (g * clip / ||g|| when ||g|| > clip) instead of clipping each element to [-clip, clip].

def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    if velocity is None:
        velocity = {k: np.zeros_like(params[k]) for k in params}
    new_params = {}
    new_velocity = {}
    for k in params:
        g = grads[k]
        norm = np.linalg.norm(g)
        if norm > clip:
            g = g * clip / norm
        new_velocity[k] = momentum * velocity[k] - lr * g
        new_params[k] = params[k] + new_velocity[k]
    return new_params, new_velocity
