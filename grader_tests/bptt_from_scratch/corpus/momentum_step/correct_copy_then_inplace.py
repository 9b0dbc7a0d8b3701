# corpus: momentum_step
# verdict: correct
# bug: Style: deep copies of the dicts first, then in-place updates (*=, -=, +=) on the copies only.

def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    new_params = {k: np.array(v, dtype=np.float64, copy=True) for k, v in params.items()}
    if velocity is None:
        new_velocity = {k: np.zeros_like(v) for k, v in new_params.items()}
    else:
        new_velocity = {k: np.array(v, dtype=np.float64, copy=True) for k, v in velocity.items()}
    for k in new_params:
        g = grads[k].copy()
        g[g > clip] = clip
        g[g < -clip] = -clip
        new_velocity[k] *= momentum
        new_velocity[k] -= lr * g
        new_params[k] += new_velocity[k]
    return new_params, new_velocity
