"""Example submissions of `sparse_autoencoder` for `make demo` (tools/make_example_submissions.py):
{student: {answer grade_id: text}}, built from the solutions and the corpus (seed bugs among them)."""


def students(solution, corpus):
    """`solution`: {grade_id: the instructor's answer}; `corpus(unit, name)`: a corpus file's text."""
    return {
        "ada_full": {**solution, "features_discussion": "The features look like localised, "
                     "oriented blobs and edges; more hidden units give more varied ones, a larger "
                     "lambda smooths them."},
        "blank": {},
        "ben_partial": {
            "preprocess": corpus("preprocess", "correct_loop_per_image"),
            "init_weights": solution["init_weights"],
            "ae_cost": corpus("ae_cost", "wrong_kl_subtracted"),            # seed 002 bug
            "train_autoencoder": corpus("train_autoencoder", "wrong_drops_last_batch"),
        },
        "chloe_partial": {
            "preprocess": corpus("preprocess", "wrong_inplace_mean_subtraction"),  # seed bug
            "init_weights": corpus("init_weights", "wrong_global_np_random"),
            "ae_cost": corpus("ae_cost", "wrong_hidden_delta_W1"),          # seed 002 bug
            "train_autoencoder": corpus("train_autoencoder", "correct_shuffled_copy"),
        },
    }
