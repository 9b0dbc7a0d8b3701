# corpus: xor_network
# verdict: wrong
# bug: Uses the OR and NAND hidden units but ORs them (b2 = -0.5) instead of ANDing (b2 = -1.5): always 1.

XOR_WEIGHTS = {
    "W1": np.array([[1.0, -1.0], [1.0, -1.0]]),
    "b1": np.array([-0.5, 1.5]),
    "w2": np.array([1.0, 1.0]),
    "b2": -0.5,
}
S1 = 0
