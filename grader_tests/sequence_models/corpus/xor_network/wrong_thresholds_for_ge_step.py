# corpus: xor_network
# verdict: wrong
# bug: Biases chosen for a step that fires at a >= 0 (b1 = [-1, -2], b2 = -1); with the contract's strict a > 0 the output is always 0.

# step(a) taken as a >= 0: h1 = (x + s >= 1), h2 = (x + s >= 2), y = (h1 - h2 >= 1)
XOR_WEIGHTS = {
    "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),
    "b1": np.array([-1.0, -2.0]),
    "w2": np.array([1.0, -1.0]),
    "b2": -1.0,
}
S1 = 0
