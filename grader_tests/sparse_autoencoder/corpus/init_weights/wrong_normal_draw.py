# corpus: init_weights
# verdict: wrong
# bug: Normal draws with std r instead of uniform in +-r.

def init_weights(L_in, L_hid, rng):
    r = np.sqrt(6 / (L_in + L_hid))
    return {"W1": rng.normal(0, r, (L_in, L_hid)), "b1": rng.normal(0, r, L_hid),
            "W2": rng.normal(0, r, (L_hid, L_in)), "b2": rng.normal(0, r, L_in)}
