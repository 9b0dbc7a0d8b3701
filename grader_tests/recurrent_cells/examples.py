"""Example submissions of `recurrent_cells` for `make demo` (tools/make_example_submissions.py):
{student: {answer grade_id: text}}, built from the solutions and the corpus (seed bugs among them)."""

WRITTEN = {
    "theory_vanishing": "Gradients through time are products of many per-step derivatives; with "
                        "sigmoid (max 1/4) and tanh they shrink exponentially. ReLU and leaky ReLU "
                        "have slope 1 for positive inputs so they shrink less.",
    "theory_lstm": "The cell state is updated additively and the forget gate controls it, so the "
                   "gradient can pass through many steps without being squashed.",
    "theory_model_choice": "RNN for short sequences and small budgets, GRU when data/compute are "
                           "limited, LSTM for long dependencies with lots of data.",
}


def students(solution, corpus):
    """`solution`: {grade_id: the instructor's answer}; `corpus(unit, name)`: a corpus file's text."""
    return {
        "ada_full": {**solution, **WRITTEN},
        "blank": {},
        "ben_partial": {
            "lstm_cell": corpus("lstm_cell", "correct_slices_narrow"),
            "gru_cell": corpus("gru_cell", "wrong_blend_uses_h_n"),        # seed 000 bug
            "rnn_model": corpus("rnn_model", "wrong_squeeze_output"),      # seed 000 bug
            "model_identification": 'A_model = "GRU"\nB_model = "RNN"\nC_model = "LSTM"\n',
            "theory_vanishing": WRITTEN["theory_vanishing"],
        },
        "chloe_partial": {
            "lstm_cell": corpus("lstm_cell", "wrong_gate_order_if"),
            "gru_cell": solution["gru_cell"],
            "rnn_model": corpus("rnn_model", "correct_unbind_zip"),
            "bidir_model": corpus("bidir_model", "wrong_reuses_forward_cells"),  # seed 000 bug
            "model_identification": solution["model_identification"],
            "theory_lstm": WRITTEN["theory_lstm"],
        },
        "dev_partial": {
            "lstm_cell": corpus("lstm_cell", "wrong_from_scratch_nn_lstmcell"),
            "gru_cell": corpus("gru_cell", "wrong_reset_on_h"),            # seed 000 bug
            "rnn_model": corpus("rnn_model", "wrong_uninit_tensor_state"),  # seed 000 bug
            "bidir_model": corpus("bidir_model", "correct_flip_input"),
        },
    }
