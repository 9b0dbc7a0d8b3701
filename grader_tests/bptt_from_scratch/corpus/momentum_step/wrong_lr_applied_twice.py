# corpus: momentum_step
# verdict: wrong
# bug: The learning rate is applied twice: the velocity already holds -lr * g, but the step is theta + lr * v.

def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    if velocity is None:
        velocity = {k: np.zeros_like(params[k]) for k in params}
    new_params = {}
    new_velocity = {}
    for k in params:
        g = np.clip(grads[k], -clip, clip)
        new_velocity[k] = momentum * velocity[k] - lr * g
        new_params[k] = params[k] + lr * new_velocity[k]
    return new_params, new_velocity
