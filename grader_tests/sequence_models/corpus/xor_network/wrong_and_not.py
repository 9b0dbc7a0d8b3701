# corpus: xor_network
# verdict: wrong
# bug: Hidden units x AND NOT s and s AND NOT x, but the output reads only the first (w2 = [1, 0]): y = x AND NOT s.

XOR_WEIGHTS = {
    "W1": np.array([[1.0, -1.0], [-1.0, 1.0]]),
    "b1": np.array([-0.5, -0.5]),
    "w2": np.array([1.0, 0.0]),
    "b2": -0.5,
}
S1 = 0
