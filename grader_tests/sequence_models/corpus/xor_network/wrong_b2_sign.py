# corpus: xor_network
# verdict: wrong
# bug: The output bias has the wrong sign (b2 = +0.5), so y = 1 for every input.

XOR_WEIGHTS = {
    "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),
    "b1": np.array([-0.5, -1.5]),
    "w2": np.array([1.0, -1.0]),
    "b2": 0.5,
}
S1 = 0
