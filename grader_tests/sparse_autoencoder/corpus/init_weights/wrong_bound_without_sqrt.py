# corpus: init_weights
# verdict: wrong
# bug: Bound 6 / (L_pre + L_post) without the square root.

def init_weights(L_in, L_hid, rng):
    r = 6 / (L_in + L_hid)
    return {"W1": rng.uniform(-r, r, (L_in, L_hid)), "b1": rng.uniform(-r, r, L_hid),
            "W2": rng.uniform(-r, r, (L_hid, L_in)), "b2": rng.uniform(-r, r, L_in)}
