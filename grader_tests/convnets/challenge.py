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

from grader_tests.framework.judging.outcome import Outcome
from grader_tests.convnets import probe as P

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


def judge(infos, arrays):
    """The challenge's outcome: 0 with the reason, or a score between the thresholds."""
    info = infos[0] if infos else {}
    kind = dataset_in_use()
    _, labels = heldout()
    if labels is None:
        return ("The challenge could not be graded: the course has no held-out set for the real "
                "CIFAR-10 (instructor: see grader_tests/convnets/challenge.py).")
    if info.get("error") == "NotImplementedError":
        return "build_best_model has not been answered yet (it raises NotImplementedError)."
    if info.get("checkpoint") == "missing":
        return ("No best_model.pt was submitted beside the notebook: run the training cell (it saves "
                "your model's state_dict there) and submit the file with the notebook.")
    if info.get("error") == "NotImplementedError":
        return "build_best_model has not been answered yet (it raises NotImplementedError)."
    if "error" in info:
        return f"Your model raised {info['error']} when the grader built it or ran it on the held-out images."
    size = info.get("checkpoint_bytes", 0)
    if info.get("checkpoint") == "too large":
        return (f"best_model.pt is {size / 2**20:.1f} MiB; the limit is {P.MAX_CHECKPOINT_BYTES / 2**20:.0f} "
                "MiB: use a smaller model.")
    if info.get("checkpoint") == "unreadable":
        return ("best_model.pt could not be read with torch.load(..., weights_only=True): save only "
                f"the weights, torch.save(model.state_dict(), 'best_model.pt') ({info.get('reason')}).")
    if info.get("checkpoint") == "incompatible":
        return ("best_model.pt does not fit the model build_best_model() builds (did you change the "
                f"model after training?): {info.get('reason')}")
    if info.get("timeout"):
        return (f"Your model took more than {P.INFERENCE_SECONDS:.0f} s to classify {len(labels)} "
                "held-out images: make it smaller or faster.")
    predictions = arrays.get("accuracy/0/predictions")
    if predictions is None or predictions.shape != labels.shape:
        return "The grader could not collect your model's predictions on the held-out images."
    accuracy = float(np.mean(predictions == labels))
    fraction = score(accuracy, kind)
    zero_at, full_at = THRESHOLDS[kind]
    what = "the stand-in's held-out images" if kind == "standin" else "held-out CIFAR-10 images"
    message = (f"Accuracy {100 * accuracy:.1f} % on {len(labels)} of {what} (no points at "
               f"{100 * zero_at:.0f} % or below, full points from {100 * full_at:.0f} %); "
               f"inference {info.get('seconds', math.nan):.1f} s on {info.get('device', '?')}.")
    if fraction <= 0:
        return message
    return Outcome(True, message, score=round(fraction, 4))
