"""What a failing hidden test tells the student, and the whole sparse_autoencoder corpus
in-process (fast): every wrong file loses at least one hidden test, every correct file passes
all. (The corpus also runs through real nbgrader in the pipeline test.)"""
import contextlib
import io
import re

import pytest

from grader_tests import sparse_autoencoder as checks
from grader_tests import submission_builder as sb
from grader_tests.harness import GradingFailure
from conftest import ROOT

SOURCE = ROOT / "source" / "sparse_autoencoder" / "sparse_autoencoder.ipynb"


def corpus(unit, name):
    return (sb.CORPUS / "sparse_autoencoder" / unit / f"{name}.py").read_text()


def verdicts(unit, source):
    """{aspect: message or None} for every hidden test of `unit`."""
    out = {}
    for aspect in checks.ASPECTS[unit]:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                checks.run_check(unit, aspect, source=source)
            out[aspect] = None
        except GradingFailure as err:
            out[aspect] = str(err)
    return out


def assert_student_facing(message):
    for internal in ("grader_tests", "reference", "Traceback", "ref.", ".py", "torch"):
        assert internal not in message, message
    assert not re.search(r"(/[\w.-]+){2,}", message), message
    assert len(message) < 600, message


@pytest.mark.parametrize("unit, aspect, name, expected", [
    ("preprocess", "input", "wrong_inplace_mean_subtraction", "modified its input in place"),
    ("preprocess", "values", "wrong_luma_seed_typo", "luminosity weights"),
    ("preprocess", "values", "wrong_std_ddof1", "ddof = 0"),
    ("preprocess", "values", "wrong_clip_2sigma", "+-3 sigma"),
    ("preprocess", "values", "wrong_minmax_mapping", "not the data's own minimum and maximum"),
    ("init_weights", "rng", "wrong_fixed_global_seed", "global random state"),
    ("init_weights", "rng", "wrong_own_generator", "different seeds"),
    ("init_weights", "range", "wrong_bias_row_shape", "expected (64,)"),
    ("ae_cost", "value", "wrong_kl_subtracted", "KL term has the wrong sign"),
    ("ae_cost", "gradients", "wrong_hidden_delta_W1", "dW1 is wrong while J is right: check the hidden delta uses W2^T"),
    ("ae_cost", "consistency", "wrong_hidden_delta_W1", "while J is right"),
    ("ae_cost", "gradients", "wrong_sigmoid_deriv_on_activation", "sigmoid derivative is applied to activations"),
    ("ae_cost", "gradients", "wrong_sigmoid_deriv_preactivation", "pre-activation"),
    ("ae_cost", "value", "wrong_missing_1_over_N", "J is off by a factor close to N in the reconstruction term: check the 1/(2N) average"),
    ("ae_cost", "value", "wrong_biases_regularised", "biases are not regularised"),
    ("ae_cost", "value", "wrong_rho_hat_over_units", "over the batch (axis 0)"),
    ("ae_cost", "gradients", "wrong_kl_gradient_missing", "sparsity term's gradient is missing"),
    ("ae_cost", "gradients", "wrong_bias_grad_keepdims", "expected (4,)"),
    ("train_autoencoder", "rng", "wrong_np_random_permutation", "not np.random"),
    ("train_autoencoder", "rng", "wrong_fixed_seed_inside", "does not depend on rng"),
    ("train_autoencoder", "rng", "wrong_shuffle_once", "same order"),
    ("train_autoencoder", "rng", "wrong_drops_last_batch", "last, smaller batch is skipped"),
    ("train_autoencoder", "updates", "wrong_history_before_updates", "recorded before each epoch's updates"),
    ("train_autoencoder", "updates", "wrong_gradient_ascent", "move up the gradient"),
    ("train_autoencoder", "rng", "wrong_init_own_rng", "Pass the rng"),
])
def test_seed_and_common_bugs_are_named(unit, aspect, name, expected):
    message = verdicts(unit, corpus(unit, name))[aspect]
    assert message is not None, f"{unit}/{name} passed {aspect}"
    assert_student_facing(message)
    assert expected in message, message


CORPUS = [(unit, path, verdict) for unit in checks.CODE_UNITS
          for path, verdict, _ in sb.corpus_files("sparse_autoencoder", unit)]


@pytest.mark.parametrize("unit, path, verdict", CORPUS, ids=[f"{u}/{p.stem}" for u, p, _ in CORPUS])
def test_corpus_verdicts_in_process(unit, path, verdict):
    text = path.read_text()
    assert text.startswith(f"# corpus: {unit}\n# verdict: {verdict}\n# bug: ")
    result = verdicts(unit, text)
    failed = {a: m for a, m in result.items() if m}
    if verdict == "correct":
        assert not failed, failed
    else:
        assert failed, f"{path.name} passes every hidden test"
        for message in failed.values():
            assert_student_facing(message)


def test_corpus_size():
    for unit in checks.CODE_UNITS:
        files = sb.corpus_files("sparse_autoencoder", unit)
        assert sum(v == "wrong" for _, v, _ in files) >= 8, unit
        assert sum(v == "correct" for _, v, _ in files) >= 2, unit


def test_solutions_pass_every_check():
    solution = sb.solutions(SOURCE)
    for unit in checks.CODE_UNITS:
        assert verdicts(unit, solution[unit]) == {a: None for a in checks.ASPECTS[unit]}


@pytest.mark.parametrize("unit", checks.CODE_UNITS)
def test_unanswered_cell_says_so(unit):
    name = checks.UNITS[unit][0]
    stub = f"def {name}(*args, **kwargs):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    for aspect, message in verdicts(unit, stub).items():
        assert message and "not been answered yet" in message, (aspect, message)


def test_syntax_error_in_answer_cell():
    with pytest.raises(GradingFailure, match="syntax error"):
        checks.run_check("ae_cost", "value", source="def ae_cost(We, data, params:\n    pass\n")


def test_train_graded_with_reference_cost():
    """A broken ae_cost elsewhere in the notebook does not touch train_autoencoder's grade: its
    namespace has the reference init_weights and ae_cost (and aliases to them still record)."""
    source = sb.solutions(SOURCE)["train_autoencoder"]
    assert verdicts("train_autoencoder", "cost = ae_cost\n" + source.replace("ae_cost(We, batch", "cost(We, batch")) == {
        "updates": None, "rng": None}
