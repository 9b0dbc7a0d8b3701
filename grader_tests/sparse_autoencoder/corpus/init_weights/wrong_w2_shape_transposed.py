# corpus: init_weights
# verdict: wrong
# bug: W2 built with shape (L_in, L_hid) (the transpose of the contract).

def init_weights(L_in, L_hid, rng):
    r = np.sqrt(6 / (L_in + L_hid))
    return {"W1": rng.uniform(-r, r, (L_in, L_hid)), "b1": rng.uniform(-r, r, L_hid),
            "W2": rng.uniform(-r, r, (L_in, L_hid)), "b2": rng.uniform(-r, r, L_in)}
