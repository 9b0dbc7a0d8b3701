"""The `convnets` challenge (SPEC 4.3, `challenge`): a model graded on held-out images the
student never had, from the answer cell alone and a submitted state_dict.

The cases a mutant corpus would hold for it are submissions of a checkpoint, so they live here:
the reference checkpoint earns full points; a missing, unreadable (pickled code), incompatible,
oversized, untrained or random checkpoint, a cell that needs the notebook's other variables and
a model too slow to classify the held-out set each score 0 with their reason. The held-out images
are in no data folder a kernel can read, and their labels never reach the sandbox.
"""
import contextlib
import io
import pathlib

import numpy as np
import pytest
import torch

from conftest import ROOT
from grader_tests.convnets import challenge, examples, judge
from grader_tests.convnets import probe as P
from grader_tests.framework.contract import table
from grader_tests.framework.judging import checks, namespace
from grader_tests.framework.pipeline import submission_builder as sb

SOLUTION = sb.assignment_solutions(ROOT, "convnets")["challenge"]


def grade(tmp_path, source=SOLUTION, checkpoint=None):
    """The challenge's outcome for an answer cell and a checkpoint file (None: not submitted)."""
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    if checkpoint is not None:
        (folder / "best_model.pt").write_bytes(pathlib.Path(checkpoint).read_bytes())
    with contextlib.redirect_stdout(io.StringIO()):
        verdict, _ = checks.outcome("convnets", "challenge", "accuracy", source, submission_dir=folder)
    return verdict


def saved(tmp_path, obj, name="ckpt.pt"):
    path = tmp_path / name
    torch.save(obj, path)
    return path


def solution_model():
    scope = {}
    exec(namespace.given_for(table.load("convnets"), "challenge") + "\n" + SOLUTION, scope)
    torch.manual_seed(123)
    return scope["build_best_model"]()


def test_reference_checkpoint_earns_full_points(tmp_path):
    verdict = grade(tmp_path, checkpoint=examples.REFERENCE_CHECKPOINT)
    print("\nreference checkpoint:", verdict.message)
    assert verdict.passed and verdict.score == 1, verdict.message


class Opaque:   # a pickled object: weights_only=True refuses to run its code
    def __reduce__(self):
        return (print, ("this would run at load time",))


@pytest.mark.parametrize("case, expected", [
    ("missing", "No best_model.pt was submitted"),
    ("pickled_object", "weights_only=True"),
    ("whole_model", "weights_only=True"),
    ("other_architecture", "does not fit the model"),
    ("untrained", "Accuracy"),
    ("random", "Accuracy"),
    ("too_large", "the limit is 20 MiB"),
])
def test_bad_checkpoints_score_zero_with_their_reason(tmp_path, case, expected):
    model = solution_model()
    checkpoint = {
        "missing": lambda: None,
        "pickled_object": lambda: saved(tmp_path, {"state": Opaque()}),
        "whole_model": lambda: saved(tmp_path, model),
        "other_architecture": lambda: saved(tmp_path, torch.nn.Linear(3072, 10).state_dict()),
        "untrained": lambda: saved(tmp_path, model.state_dict()),
        "random": lambda: saved(tmp_path, {k: torch.randn_like(v.float()).to(v.dtype) if v.is_floating_point()
                                           else v for k, v in model.state_dict().items()}),
        "too_large": lambda: saved(tmp_path, {**model.state_dict(), "extra": torch.zeros(6_000_000)}),
    }[case]()
    verdict = grade(tmp_path, checkpoint=checkpoint)
    print(f"\n{case}: {verdict.message}")
    assert not verdict.passed and expected in verdict.message, verdict.message


def test_answer_cell_must_stand_alone(tmp_path):
    """The grader runs the answer cell alone: a model built from a notebook variable fails."""
    source = "def build_best_model():\n    return nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, NUM_CLASSES))\n"
    verdict = grade(tmp_path, source, examples.REFERENCE_CHECKPOINT)
    assert not verdict.passed and "NUM_CLASSES" in verdict.message, verdict.message


def test_slow_model_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(P, "INFERENCE_SECONDS", 0.0)   # any model exceeds a zero budget
    verdict = grade(tmp_path, checkpoint=examples.REFERENCE_CHECKPOINT)
    assert not verdict.passed and "held-out images" in verdict.message and "faster" in verdict.message


def test_score_scales_between_the_thresholds():
    zero_at, full_at = challenge.THRESHOLDS["standin"]
    assert challenge.score(zero_at, "standin") == 0 and challenge.score(full_at, "standin") == 1
    assert challenge.score((zero_at + full_at) / 2, "standin") == pytest.approx(0.5)
    assert challenge.THRESHOLDS["real"][1] == 0.70   # SPEC 4.3: full points at 70 % on CIFAR-10


def test_heldout_images_are_new_and_labels_stay_with_the_judge():
    from data import cifar10
    images, labels = challenge.heldout()
    assert images.shape == (challenge.HELDOUT_SIZE, 3, 32, 32) and images.dtype == np.uint8
    assert len(np.unique(labels)) == 10
    handed = judge.grader_inputs("challenge")
    assert list(handed) == [P.HELDOUT] and np.array_equal(handed[P.HELDOUT], images)
    X_train, _, X_test, _ = cifar10.load_cifar10(verbose=False)
    seen = {x.tobytes() for x in np.concatenate([X_train, X_test])}
    assert not any(x.tobytes() in seen for x in images), "a held-out image is in the stand-in"
    # the held-out split depends on a seed only the grader holds (not the public builder's)
    assert challenge.HELDOUT_SEED not in (cifar10.TRAIN_SEED, cifar10.TEST_SEED)
    for folder in (ROOT / "release" / "convnets", ROOT / "source" / "convnets"):
        assert str(challenge.HELDOUT_SEED) not in "".join(p.read_text() for p in folder.glob("*.py"))


CHEAT = '''
def build_best_model():
    """Hunts for the held-out labels (the grader's module, the course's files); if it finds them it
    answers them in order, else it is the reference architecture left untrained."""
    import importlib, os, pathlib, sys
    labels = None
    here = pathlib.Path.cwd()
    roots = [here, *here.parents, pathlib.Path(os.environ.get("COURSE_DATA_DIR", "/nonexistent")).parent,
             *[pathlib.Path(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p],
             *[pathlib.Path(p) for p in sys.path if p]]
    for root in [None] + roots:
        try:
            if root is not None:
                if not (root / "grader_tests" / "convnets" / "challenge.py").exists():
                    continue
                sys.path.insert(0, str(root))
            labels = importlib.import_module("grader_tests.convnets.challenge").heldout()[1]
            break
        except Exception:
            continue
    model = _base_model()
    if labels is not None:
        model.load_state_dict = lambda *args, **kwargs: None
        model.labels, model.position = [int(v) for v in labels], 0
        model.forward = lambda x: _answer(model, x)
    return model


def _answer(model, x):
    out = torch.full((x.shape[0], 10), -10.0, device=x.device)
    for k in range(x.shape[0]):
        out[k, model.labels[model.position + k]] = 10.0
    model.position += x.shape[0]
    return out
'''


def test_heldout_labels_are_unreachable_from_the_sandbox(tmp_path):
    """An answer that hunts for the held-out labels scores 0 under the sandboxed trusted path that
    autograde uses, while the same answer scores full points when run unsandboxed in the grader's
    own process (so this test can fail)."""
    from grader_tests.framework.pipeline import grading as trusted
    base = SOLUTION.replace("def build_best_model(", "def _base_model(")
    source = base + CHEAT
    untrained = saved(tmp_path, solution_model().state_dict())    # scores 0 unless the cheat works
    unsandboxed = grade(tmp_path, source, untrained)
    assert unsandboxed.passed and unsandboxed.score == 1, unsandboxed.message
    folder = tmp_path / "submission"
    pending = trusted.start_grading("convnets", {"challenge": source},
                                    {"test_challenge_accuracy": "### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n"},
                                    devices=["cpu"], submission_dir=folder)
    outcomes, _ = trusted.finish_grading(pending)
    verdict = outcomes["test_challenge_accuracy"]
    print("\nsandboxed cheat:", verdict.message)
    assert not verdict.passed or verdict.score == 0, verdict.message
