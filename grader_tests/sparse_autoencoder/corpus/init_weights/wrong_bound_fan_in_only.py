# corpus: init_weights
# verdict: wrong
# bug: Bound sqrt(6 / L_pre) instead of sqrt(6 / (L_pre + L_post)).

def init_weights(L_in, L_hid, rng):
    r1 = np.sqrt(6 / L_in)
    r2 = np.sqrt(6 / L_hid)
    return {"W1": rng.uniform(-r1, r1, (L_in, L_hid)), "b1": rng.uniform(-r1, r1, L_hid),
            "W2": rng.uniform(-r2, r2, (L_hid, L_in)), "b2": rng.uniform(-r2, r2, L_in)}
