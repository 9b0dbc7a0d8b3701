"""Example submissions of `bptt_from_scratch` for `make demo` (tools/make_example_submissions.py):
{student: {answer grade_id: text}}, built from the solutions and the corpus (seed bugs among them)."""

DISCUSSION = ("On the short schedule the LSTM and the GRU reach a clearly higher test accuracy than "
              "the vanilla RNN. All three separate sitting from standing (gravity shows at every "
              "step); the RNN mixes walking, upstairs and downstairs because its gradients vanish "
              "over 150 steps and it only remembers the end of the window, while the gated cell "
              "state keeps evidence from the whole window.")


def students(solution, corpus):
    """`solution`: {grade_id: the instructor's answer}; `corpus(unit, name)`: a corpus file's text."""
    return {
        "ada_full": {**solution, "comparison_discussion": DISCUSSION},
        "blank": {},
        "ben_partial": {     # the seed 002 student's bugs
            **solution,
            "rnn_bptt": corpus("rnn_bptt", "wrong_truncated_skips_t0"),
            "lstm_bptt": corpus("lstm_bptt", "wrong_sigmoid_deriv_on_activation"),
            "train_recurrent": corpus("train_recurrent", "wrong_labels_not_shuffled"),
        },
        "chloe_partial": {
            **solution,
            "gru_bptt": corpus("gru_bptt", "wrong_blend_reversed"),
            "momentum_step": corpus("momentum_step", "wrong_clip_after_velocity"),
            "confusion_matrix": corpus("confusion_matrix", "wrong_transposed"),
            "train_recurrent": corpus("train_recurrent", "wrong_returns_last_params"),
        },
    }
