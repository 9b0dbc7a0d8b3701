"""Writes the example submissions that `make demo` autogrades, under submitted/<student>/.

Per assignment:
- `ada_full`: every answer right (the instructor's solutions), written answers filled in;
- `blank`: the release notebook as a student downloads it;
- `ben_partial`, `chloe_partial` (and `dev_partial`): realistic partial work, built from the
  mutant corpus (grader_tests/corpus), the seeds' bugs among them.
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from grader_tests import submission_builder as sb  # noqa: E402

ASSIGNMENT = "recurrent_cells"


def paths(assignment):
    return (ROOT / "release" / assignment / f"{assignment}.ipynb",
            ROOT / "source" / assignment / f"{assignment}.ipynb")


def corpus(unit, name, assignment=ASSIGNMENT):
    return (sb.CORPUS / assignment / unit / f"{name}.py").read_text()


WRITTEN = {
    "theory_vanishing": "Gradients through time are products of many per-step derivatives; with "
                        "sigmoid (max 1/4) and tanh they shrink exponentially. ReLU and leaky ReLU "
                        "have slope 1 for positive inputs so they shrink less.",
    "theory_lstm": "The cell state is updated additively and the forget gate controls it, so the "
                   "gradient can pass through many steps without being squashed.",
    "theory_model_choice": "RNN for short sequences and small budgets, GRU when data/compute are "
                           "limited, LSTM for long dependencies with lots of data.",
}


def sparse_autoencoder_students():
    solution = sb.solutions(paths("sparse_autoencoder")[1])
    sae = "sparse_autoencoder"
    return {
        "ada_full": {**solution, "features_discussion": "The features look like localised, "
                     "oriented blobs and edges; more hidden units give more varied ones, a larger "
                     "lambda smooths them."},
        "blank": {},
        "ben_partial": {
            "preprocess": corpus("preprocess", "correct_loop_per_image", sae),
            "init_weights": solution["init_weights"],
            "ae_cost": corpus("ae_cost", "wrong_kl_subtracted", sae),            # seed 002 bug
            "train_autoencoder": corpus("train_autoencoder", "wrong_drops_last_batch", sae),
        },
        "chloe_partial": {
            "preprocess": corpus("preprocess", "wrong_inplace_mean_subtraction", sae),  # seed bug
            "init_weights": corpus("init_weights", "wrong_global_np_random", sae),
            "ae_cost": corpus("ae_cost", "wrong_hidden_delta_W1", sae),          # seed 002 bug
            "train_autoencoder": corpus("train_autoencoder", "correct_shuffled_copy", sae),
        },
    }


def main():
    RELEASE, SOURCE = paths(ASSIGNMENT)
    solution = sb.solutions(SOURCE)
    students = {
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
    for assignment, table in ((ASSIGNMENT, students),
                              ("sparse_autoencoder", sparse_autoencoder_students())):
        release = paths(assignment)[0]
        for student, answers in table.items():
            path = ROOT / "submitted" / student / assignment / f"{assignment}.ipynb"
            sb.write(sb.build(release, answers), path)
            print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
