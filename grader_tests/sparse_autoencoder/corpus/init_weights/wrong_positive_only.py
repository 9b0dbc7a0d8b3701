# corpus: init_weights
# verdict: wrong
# bug: Draws from [0, r) (rng.random() * r) instead of [-r, r].

def init_weights(L_in, L_hid, rng):
    r = np.sqrt(6 / (L_in + L_hid))
    return {"W1": rng.random((L_in, L_hid)) * r, "b1": rng.random(L_hid) * r,
            "W2": rng.random((L_hid, L_in)) * r, "b2": rng.random(L_in) * r}
