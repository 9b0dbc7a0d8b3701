# corpus: xor_network
# verdict: wrong
# bug: Writes W1 with one row per hidden unit (hidden x input) although h = [x, s] @ W1 takes one row per input, so the units become x AND NOT s and a constant 1.

# rows: hidden units OR = x + s - 0.5 and NAND = -x - s + 1.5
XOR_WEIGHTS = {
    "W1": np.array([[1.0, 1.0], [-1.0, -1.0]]),
    "b1": np.array([-0.5, 1.5]),
    "w2": np.array([1.0, 1.0]),
    "b2": -1.5,
}
S1 = 0
