# corpus: init_weights
# verdict: wrong
# bug: rng ignored: draws from np.random's global state.

def init_weights(L_in, L_hid, rng):
    r = np.sqrt(6 / (L_in + L_hid))
    return {"W1": np.random.uniform(-r, r, (L_in, L_hid)), "b1": np.random.uniform(-r, r, L_hid),
            "W2": np.random.uniform(-r, r, (L_hid, L_in)), "b2": np.random.uniform(-r, r, L_in)}
