# corpus: init_weights
# verdict: wrong
# bug: Biases set to zero instead of drawn uniformly.

def init_weights(L_in, L_hid, rng):
    r = np.sqrt(6 / (L_in + L_hid))
    return {"W1": rng.uniform(-r, r, (L_in, L_hid)), "b1": np.zeros(L_hid),
            "W2": rng.uniform(-r, r, (L_hid, L_in)), "b2": np.zeros(L_in)}
