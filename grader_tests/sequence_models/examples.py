"""Example submissions of `sequence_models` for `make demo` (tools/make_example_submissions.py):
{student: {answer grade_id: text}} over both notebooks, built from the solutions and the corpus
(seed bugs among them)."""

WRITTEN = {
    "palindrome_comparison": "The RNN drops to chance as the palindromes get longer while the LSTM stays "
                             "accurate: the RNN's gradient through many tanh steps vanishes, the LSTM's "
                             "cell state carries the first digit additively.",
    "sequence_type": "Each row of the image is one step, so the sequence has as many steps as rows (8 here); "
                     "one label at the end: many-to-one.",
    "xor_discussion": "s[t] is the XOR of the bits so far (the state); y[t] the parity of the prefix. The same "
                      "small network works at every step because XOR is associative.",
    "ratio_discussion": "The ratio is about 1/4 near zero, so its T-th power decays exponentially: sigmoid "
                        "networks lose their gradients much faster than tanh networks.",
}


def students(solution, corpus):
    """`solution`: {grade_id: the instructor's answer}; `corpus(unit, name)`: a corpus file's text."""
    return {
        "ada_full": {**solution, **WRITTEN},
        "blank": {},
        "ben_partial": {
            **solution,
            "vanilla_rnn": corpus("vanilla_rnn", "wrong_softmax_output"),
            "make_optimizers": corpus("make_optimizers", "wrong_lstm_over_rnn_params"),   # seed 001 bug
            "seq_lstm": corpus("seq_lstm", "wrong_squeeze_h_n"),
            "activation_ratio": corpus("activation_ratio", "wrong_ratio_inverted"),
        },
        "chloe_partial": {
            **solution,
            "palindrome_lstm": corpus("palindrome_lstm", "wrong_from_scratch_nn_lstm"),   # the rule
            "train_loop": corpus("train_loop", "wrong_no_zero_grad"),
            "seq_gru": corpus("seq_gru", "wrong_hidden_cpu"),
            "xor_network": corpus("xor_network", "wrong_or_output"),
        },
    }
