# corpus: momentum_step
# verdict: wrong
# bug: The velocity accumulates the raw gradients (v <- momentum * v - g) and lr multiplies only the step, so velocity and later steps differ.

def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    if velocity is None:
        velocity = {k: np.zeros_like(params[k]) for k in params}
    new_params = {}
    new_velocity = {}
    for k in params:
        g = np.clip(grads[k], -clip, clip)
        new_velocity[k] = momentum * velocity[k] - g
        new_params[k] = params[k] + lr * new_velocity[k]
    return new_params, new_velocity
