# corpus: xor_network
# verdict: correct
# bug: Style: the OR/AND construction scaled by 2 with integer arrays and a numpy scalar b2.

XOR_WEIGHTS = {
    "W1": np.array([[2, 2], [2, 2]]),
    "b1": np.array([-1, -3]),
    "w2": np.array([2, -2]),
    "b2": np.int64(-1),
}
S1 = 0
