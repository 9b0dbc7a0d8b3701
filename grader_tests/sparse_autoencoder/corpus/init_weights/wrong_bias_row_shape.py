# corpus: init_weights
# verdict: wrong
# bug: Seed bug: biases of shape (1, L) instead of (L,).

def init_weights(L_in, L_hid, rng):
    r = np.sqrt(6 / (L_in + L_hid))
    return {"W1": rng.uniform(-r, r, (L_in, L_hid)), "b1": rng.uniform(-r, r, (1, L_hid)),
            "W2": rng.uniform(-r, r, (L_hid, L_in)), "b2": rng.uniform(-r, r, (1, L_in))}
