# corpus: init_weights
# verdict: correct
# bug: Style: one flat rng.uniform draw split and reshaped into the four arrays.

def init_weights(L_in, L_hid, rng):
    r = np.sqrt(6 / (L_in + L_hid))
    sizes = [L_in * L_hid, L_hid, L_hid * L_in, L_in]
    flat = rng.uniform(-r, r, sum(sizes))
    a, b, c = np.cumsum(sizes)[:3]
    return {"W1": flat[:a].reshape(L_in, L_hid), "b1": flat[a:b],
            "W2": flat[b:c].reshape(L_hid, L_in), "b2": flat[c:]}
