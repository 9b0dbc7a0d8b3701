# corpus: xor_network
# verdict: correct
# bug: Style: OR and AND units with uneven thresholds and an output weight -2 on AND.

XOR_WEIGHTS = {
    "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),
    "b1": np.array([-0.1, -1.9]),
    "w2": np.array([1.0, -2.0]),
    "b2": -0.3,
}
S1 = 0.0
