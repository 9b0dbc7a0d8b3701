# corpus: momentum_step
# verdict: wrong
# bug: Updates the velocity arrays in place (v *= momentum; v -= lr * g), so the caller's velocity dict changes.

def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    if velocity is None:
        velocity = {k: np.zeros_like(params[k]) for k in params}
    new_params = {}
    new_velocity = {}
    for k in params:
        g = np.clip(grads[k], -clip, clip)
        velocity[k] *= momentum
        velocity[k] -= lr * g
        new_velocity[k] = velocity[k]
        new_params[k] = params[k] + new_velocity[k]
    return new_params, new_velocity
