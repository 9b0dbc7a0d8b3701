# corpus: xor_network
# verdict: wrong
# bug: The output unit reads only the OR unit (w2 = [1, 0]), so the network computes x OR s.

# h1 = x OR s, h2 = x AND s
XOR_WEIGHTS = {
    "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),
    "b1": np.array([-0.5, -1.5]),
    "w2": np.array([1.0, 0.0]),
    "b2": -0.5,
}
S1 = 0
