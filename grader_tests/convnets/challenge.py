"""The challenge's held-out images and its score (trusted side only; never copied into the sandbox).

Held-out images the student never had:
- stand-in data (the default): `data.cifar10.render(HELDOUT_SIZE, HELDOUT_SEED, pool="heldout")`,
  drawn from the handwritten digits the public stand-in never uses, with a seed that lives only
  here (the stand-in builder ships with the release, so its own seeds are public);
- the real CIFAR-10: a private batch in the CIFAR python format (b'data', b'labels') at
  `<data folder>/cifar10/heldout/heldout_batch`, which the instructor provides (for example
  CIFAR-10.1, or a slice of the test set withheld from students); without it the challenge is
  not graded and says so.
The images go into the sandbox (`judge.grader_inputs`); the labels stay here.

Score: the accuracy a on the held-out images gives the fraction clip((a - ZERO_AT) / (FULL_AT -
ZERO_AT), 0, 1) of the cell's points. The thresholds, calibrated by tools/calibrate_challenge.py
(its measured numbers are written beside THRESHOLDS):
- stand-in: FULL_AT a few points under the reference model's held-out accuracy on the notebook's
  full schedule; ZERO_AT a few points above a linear classifier's (a model that learned nothing
  beyond what a linear map can do earns nothing);
- real CIFAR-10: full points at 70 % and above (the course's bar), nothing at 40 % or below.
"""
import functools
import math
import pickle

import numpy as np

from grader_tests.convnets import probe as P
from grader_tests.framework.contract import verdict as v
from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.judging.kinds import UnitJudge

HELDOUT_SIZE = 1000
HELDOUT_SEED = 918_273_645
# (ZERO_AT, FULL_AT). Stand-in, measured by tools/calibrate_challenge.py on this course's 2-core
# CPU (2026-11-24, 50 s): the reference model after the notebook's 8 epochs 70.5 % on the
# held-out images (74.8 % on the public test batch: held-out digits come from writers the public
# stand-in never uses), a linear classifier 26.3 %, an untrained model 10.0 %: nothing at 33 %
# (linear + 7 points), full points from 67 % (reference - 3.5 points).
THRESHOLDS = {"standin": (0.33, 0.67), "real": (0.40, 0.70)}


def dataset_in_use():
    from data import cifar10
    return "real" if cifar10.using_real_data() else "standin"


@functools.lru_cache(maxsize=1)
def _heldout(kind):
    from data import cifar10
    if kind == "standin":
        X, y = cifar10.render(HELDOUT_SIZE, HELDOUT_SEED, pool="heldout")
        return np.ascontiguousarray(X, dtype=np.uint8), np.asarray(y, dtype=np.int64)
    path = cifar10.DATA_DIR / "cifar10" / "heldout" / "heldout_batch"
    if not path.is_file():
        return None, None
    with open(path, "rb") as fh:
        batch = pickle.load(fh, encoding="bytes")
    X = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
    return X, np.asarray(batch[b"labels"], dtype=np.int64)


def heldout():
    """(images uint8 (N, 3, 32, 32), labels) of the dataset in use; (None, None) when the real
    data are in use and the course has no private held-out batch."""
    return _heldout(dataset_in_use())


def score(accuracy, kind):
    zero_at, full_at = THRESHOLDS[kind]
    return min(1.0, max(0.0, (accuracy - zero_at) / (full_at - zero_at)))


# The instructor's remedy is in this module's docstring and the README (the private held-out batch).
NO_HELDOUT_SET = Hint("challenge:no_heldout_set", "The course has no held-out set for the real CIFAR-10 yet: "
                      "the course staff will grade the challenge once it has one.")
CHECKPOINT_MISSING = Hint("challenge:checkpoint_missing", "Run the training cell (it saves your model's state_dict "
                          "there) and submit the file with the notebook.")
CHECKPOINT_TOO_LARGE = Hint("challenge:checkpoint_too_large", "Use a smaller model.")
CHECKPOINT_UNREADABLE = Hint("challenge:checkpoint_unreadable", "Save only the weights: "
                             "torch.save(model.state_dict(), 'best_model.pt').")
CHECKPOINT_INCOMPATIBLE = Hint("challenge:checkpoint_incompatible", "Did you change the model after training? "
                               "Save the state_dict of the model build_best_model() builds.")
TOO_SLOW = Hint("challenge:too_slow", "Make it smaller or faster.")
NO_POINTS = Hint("challenge:no_points", "That earns no points yet: train longer or improve the model, then save "
                 "its state_dict to best_model.pt again.")


def challenge_verdict(info, predictions):
    """The challenge's `Verdict` from the probe's info and the model's predictions on the held-out
    images: failed with the reason (a score of 0), or passed with the score between the thresholds."""
    kind = dataset_in_use()
    _, labels = heldout()
    if labels is None:
        return v.failed("The challenge", "could not be graded", hint=NO_HELDOUT_SET, symptom="run")
    if str(info.get("error", "")).startswith("NotImplementedError"):
        return v.not_answered("build_best_model")
    if info.get("checkpoint") == "missing":
        return v.failed(f"No {P.CHECKPOINT}", "was submitted beside the notebook", hint=CHECKPOINT_MISSING,
                        symptom="file")
    if "error" in info:
        return v.raised("Your model", info["error"], "when the grader built it or ran it on the held-out images")
    size = info.get("checkpoint_bytes", 0)
    if info.get("checkpoint") == "too large":
        return v.failed(P.CHECKPOINT, f"is {size / 2**20:.1f} MiB; the limit is "
                        f"{P.MAX_CHECKPOINT_BYTES / 2**20:.0f} MiB", hint=CHECKPOINT_TOO_LARGE, symptom="file")
    if info.get("checkpoint") == "unreadable":
        return v.failed(P.CHECKPOINT, f"could not be read with torch.load(..., weights_only=True) "
                        f"({info.get('reason')})", hint=CHECKPOINT_UNREADABLE, symptom="file")
    if info.get("checkpoint") == "incompatible":
        return v.failed(P.CHECKPOINT, f"does not fit the model build_best_model() builds: {info.get('reason')}",
                        hint=CHECKPOINT_INCOMPATIBLE, symptom="file")
    if info.get("timeout"):
        return v.failed("Your model", f"took more than {P.INFERENCE_SECONDS:.0f} s to classify {len(labels)} "
                        "held-out images", hint=TOO_SLOW, symptom="run")
    if predictions is None or predictions.shape != labels.shape:
        return v.failed("Your model's predictions on the held-out images", "could not be collected", symptom="run")
    accuracy = float(np.mean(predictions == labels))
    fraction = score(accuracy, kind)
    zero_at, full_at = THRESHOLDS[kind]
    what = "the stand-in's held-out images" if kind == "standin" else "held-out CIFAR-10 images"
    result = (f"{100 * accuracy:.1f} % on {len(labels)} of {what} (no points at {100 * zero_at:.0f} % or below, "
              f"full points from {100 * full_at:.0f} %); inference {info.get('seconds', math.nan):.1f} s on "
              f"{info.get('device', '?')}")
    if fraction <= 0:
        return v.failed("Accuracy", result, hint=NO_POINTS, symptom="score")
    return v.passed(f"Accuracy {result}.", score=round(fraction, 4))


class ChallengeJudge(UnitJudge):
    """The challenge's one case (`probe.ChallengeProbe`): every outcome, the student's errors
    included, is `challenge_verdict`'s, in its order (a missing held-out set comes first)."""

    def judge_error(self, judging, case, device, got, info):
        return None

    def judge_case(self, judging, case, device, got, info):
        return challenge_verdict(info, got.get("predictions"))
