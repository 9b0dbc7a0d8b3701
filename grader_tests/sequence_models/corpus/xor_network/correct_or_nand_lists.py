# corpus: xor_network
# verdict: correct
# bug: Style: XOR as AND(OR, NAND) with plain Python lists and an integer S1.

# h1 = x OR s, h2 = NAND(x, s), y = h1 AND h2
XOR_WEIGHTS = {
    "W1": [[1, -1], [1, -1]],
    "b1": [-0.5, 1.5],
    "w2": [1, 1],
    "b2": -1.5,
}
S1 = 0
