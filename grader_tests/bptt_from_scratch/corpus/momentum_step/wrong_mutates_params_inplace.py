# corpus: momentum_step
# verdict: wrong
# bug: Updates the parameter arrays in place (params[k] += v) and returns the input dict, so the caller's params change.

def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    if velocity is None:
        velocity = {k: np.zeros_like(params[k]) for k in params}
    new_velocity = {}
    for k in params:
        g = np.clip(grads[k], -clip, clip)
        new_velocity[k] = momentum * velocity[k] - lr * g
        params[k] += new_velocity[k]
    return params, new_velocity
