# corpus: xor_network
# verdict: wrong
# bug: Builds XNOR and picks S1 = 1 so that y[1] = x[1], but from t = 2 on the running output is inverted.

XOR_WEIGHTS = {
    "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),
    "b1": np.array([-0.5, -1.5]),
    "w2": np.array([-1.0, 1.0]),
    "b2": 0.5,
}
S1 = 1
