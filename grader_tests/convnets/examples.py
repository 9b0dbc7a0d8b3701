"""Example submissions of `convnets` for `make demo` (tools/make_example_submissions.py):
{student: {answer grade_id: text}}, built from the solutions and the corpus (seed bugs among
them), and the files each submits beside the notebooks (`files`)."""
import pathlib

REFERENCE_CHECKPOINT = pathlib.Path(__file__).resolve().parent / "fixtures" / "reference_best_model.pt"
DESCRIPTION = ("Three 3x3 convolution blocks with batch normalisation, global average pooling and "
               "one linear layer; Adam with a one-cycle schedule for 8 epochs and horizontal flips. "
               "Batch normalisation helped most; validation accuracy as printed.")


def students(solution, corpus):
    """`solution`: {grade_id: the instructor's answer}; `corpus(unit, name)`: a corpus file's text."""
    return {
        "ada_full": {**solution, "challenge_description": DESCRIPTION},
        "blank": {},
        "ben_partial": {
            **solution,
            "conv_naive": corpus("conv_naive", "wrong_kernel_flipped"),
            "spatial_batchnorm": corpus("spatial_batchnorm", "wrong_momentum_reversed"),
            "convnet_sequential": corpus("convnet_sequential", "wrong_seed_discarded_init"),   # seed 002 bug
        },
        "chloe_partial": {
            **solution,
            "max_pool_naive": corpus("max_pool_naive", "wrong_grad_to_whole_window"),
            "spatial_groupnorm": corpus("spatial_groupnorm", "wrong_interleaved_groups"),
            "init_convnet_params": corpus("init_convnet_params", "wrong_uniform_same_std"),
        },
    }


def files(student):
    """{file name: path}: the solution (tests), ada and ben submit the reference checkpoint; chloe
    forgot hers."""
    return ({"best_model.pt": REFERENCE_CHECKPOINT} if student in ("solution", "ada_full", "ben_partial")
            else {})
