# corpus: momentum_step
# verdict: wrong
# bug: Only the upper bound is applied (np.minimum(g, clip)), so gradients below -clip are not clipped.

def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    if velocity is None:
        velocity = {k: np.zeros_like(params[k]) for k in params}
    new_params = {}
    new_velocity = {}
    for k in params:
        g = np.minimum(grads[k], clip)
        new_velocity[k] = momentum * velocity[k] - lr * g
        new_params[k] = params[k] + new_velocity[k]
    return new_params, new_velocity
