# corpus: init_weights
# verdict: wrong
# bug: Creates its own Generator with a fixed seed instead of using rng.

def init_weights(L_in, L_hid, rng):
    rng = np.random.default_rng(42)
    r = np.sqrt(6 / (L_in + L_hid))
    return {"W1": rng.uniform(-r, r, (L_in, L_hid)), "b1": rng.uniform(-r, r, L_hid),
            "W2": rng.uniform(-r, r, (L_hid, L_in)), "b2": rng.uniform(-r, r, L_in)}
