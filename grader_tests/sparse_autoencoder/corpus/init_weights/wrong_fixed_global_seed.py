# corpus: init_weights
# verdict: wrong
# bug: Seed bug: np.random.seed(8) inside, global np.random draws (rng unused).

def init_weights(L_in, L_hid, rng):
    np.random.seed(8)
    lim = np.sqrt(6 / (L_in + L_hid))
    W1 = np.random.uniform(-lim, lim, (L_in, L_hid))
    b1 = np.random.uniform(-lim, lim, L_hid)
    W2 = np.random.uniform(-lim, lim, (L_hid, L_in))
    b2 = np.random.uniform(-lim, lim, L_in)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
