# corpus: momentum_step
# verdict: wrong
# bug: The velocity is clipped after the update instead of the gradient before it.

def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    if velocity is None:
        velocity = {k: np.zeros_like(params[k]) for k in params}
    new_params = {}
    new_velocity = {}
    for k in params:
        v = momentum * velocity[k] - lr * grads[k]
        new_velocity[k] = np.clip(v, -clip, clip)
        new_params[k] = params[k] + new_velocity[k]
    return new_params, new_velocity
