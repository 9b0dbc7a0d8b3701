# corpus: init_weights
# verdict: correct
# bug: Style: (2 * rng.random(shape) - 1) * r for every array.

def init_weights(L_in, L_hid, rng):
    r = math.sqrt(6 / (L_in + L_hid))
    def draw(*shape):
        return (2 * rng.random(shape) - 1) * r
    return {"W1": draw(L_in, L_hid), "b1": draw(L_hid), "W2": draw(L_hid, L_in), "b2": draw(L_in)}
