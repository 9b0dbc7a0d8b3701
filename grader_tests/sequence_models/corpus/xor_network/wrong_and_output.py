# corpus: xor_network
# verdict: wrong
# bug: Uses the OR and AND hidden units but the output ANDs them (w2 = [1, 1], b2 = -1.5), computing x AND s.

XOR_WEIGHTS = {
    "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),
    "b1": np.array([-0.5, -1.5]),
    "w2": np.array([1.0, 1.0]),
    "b2": -1.5,
}
S1 = 0
