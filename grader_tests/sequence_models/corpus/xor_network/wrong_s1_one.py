# corpus: xor_network
# verdict: wrong
# bug: Correct XOR weights but the initial state S1 = 1, so y[1] = NOT x[1] and every output is inverted.

XOR_WEIGHTS = {
    "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),
    "b1": np.array([-0.5, -1.5]),
    "w2": np.array([1.0, -1.0]),
    "b2": -0.5,
}
S1 = 1
