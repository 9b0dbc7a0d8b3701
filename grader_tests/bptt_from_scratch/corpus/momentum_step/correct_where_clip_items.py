# corpus: momentum_step
# verdict: correct
# bug: Style: np.where for the clipping, iteration over params.items(), velocity.get with a zero default.

def momentum_step(params, grads, velocity, lr, momentum, clip=10.0):
    velocity = {} if velocity is None else velocity
    out_p, out_v = {}, {}
    for name, theta in params.items():
        g = grads[name]
        g = np.where(g > clip, clip, np.where(g < -clip, -clip, g))
        v = momentum * velocity.get(name, np.zeros(np.shape(theta))) - lr * g
        out_v[name] = v
        out_p[name] = theta + v
    return out_p, out_v
