# corpus: xor_network
# verdict: correct
# bug: Style: hidden units x AND NOT s and s AND NOT x, ORed by the output.

XOR_WEIGHTS = {
    "W1": np.array([[1.0, -1.0], [-1.0, 1.0]]),
    "b1": np.array([-0.5, -0.5]),
    "w2": np.array([1.0, 1.0]),
    "b2": -0.5,
}
S1 = 0
