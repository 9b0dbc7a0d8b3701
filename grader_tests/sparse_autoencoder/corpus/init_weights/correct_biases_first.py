# corpus: init_weights
# verdict: correct
# bug: Style: separate limits per layer (equal here), biases drawn before weights.

def init_weights(L_in, L_hid, rng):
    lim1 = np.sqrt(6.0 / (L_in + L_hid))
    lim2 = np.sqrt(6.0 / (L_hid + L_in))
    b1 = rng.uniform(low=-lim1, high=lim1, size=(L_hid,))
    b2 = rng.uniform(low=-lim2, high=lim2, size=(L_in,))
    W1 = rng.uniform(low=-lim1, high=lim1, size=(L_in, L_hid))
    W2 = rng.uniform(low=-lim2, high=lim2, size=(L_hid, L_in))
    return dict(W1=W1, b1=b1, W2=W2, b2=b2)
