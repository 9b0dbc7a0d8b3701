# corpus: xor_network
# verdict: wrong
# bug: The output weights have their signs swapped (w2 = [-1, 1]): AND and not OR, which is never true.

XOR_WEIGHTS = {
    "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),
    "b1": np.array([-0.5, -1.5]),
    "w2": np.array([-1.0, 1.0]),
    "b2": -0.5,
}
S1 = 0
