# corpus: momentum_step
# verdict: wrong
# bug: Takes a Nesterov-style step theta + momentum * v_new - lr * g instead of theta + v_new.

def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    if velocity is None:
        velocity = {k: np.zeros_like(params[k]) for k in params}
    new_params = {}
    new_velocity = {}
    for k in params:
        g = np.clip(grads[k], -clip, clip)
        new_velocity[k] = momentum * velocity[k] - lr * g
        new_params[k] = params[k] + momentum * new_velocity[k] - lr * g
    return new_params, new_velocity
