"""CIFAR-10 for the `convnets` assignment: real loader and offline stand-in.

This file is self-contained: the course keeps it in ``data/`` and ships a copy beside the
notebook of the assignment (``import cifar10``). At module level it imports only numpy and the
standard library; scipy and scikit-learn are imported only when the stand-in is rendered.

Where the data live (the *data folder*)
---------------------------------------
1. the folder named by the environment variable ``COURSE_DATA_DIR`` when it is set (the
   course's ``data/`` folder: autograde uses its prebuilt stand-in);
2. else, when this file is the course's own ``data/cifar10.py`` (imported as ``data.cifar10``,
   e.g. ``python -m data.cifar10 build``), the folder it lives in;
3. else ``data/`` in the current working directory: for a student, beside the notebook.

Real data
---------
The "CIFAR-10 python version" archive (``cifar-10-python.tar.gz``) unpacks to a folder
``cifar-10-batches-py/`` holding ``data_batch_1`` ... ``data_batch_5`` (10000 training images
each), ``test_batch`` (10000 test images) and ``batches.meta``. Each batch is a pickled dict
whose key ``b'data'`` is a uint8 array of shape (N, 3072), one image per row, stored channel by
channel (1024 red values, then green, then blue, each 32 x 32 in row-major order), and whose
key ``b'labels'`` is a list of N ints in 0..9. Put that folder at
``<data folder>/cifar10/real/cifar-10-batches-py/`` (a student:
``data/cifar10/real/cifar-10-batches-py/`` beside the notebook), or point the environment
variable ``CIFAR10_DIR`` at it (or at the folder that contains it). Whenever the real batches
are present they are used; the reader takes ``test_batch`` and every ``data_batch_<k>``
(k = 1, 2, ...) it finds, in order.

Stand-in
--------
Without the real files, :func:`load_cifar10` uses (building it first when missing, with a
printed note) ``<data folder>/cifar10/standin/cifar-10-batches-py/``, written in the very same
file format (pickled dicts with ``b'batch_label'``, ``b'labels'``, ``b'data'``, ``b'filenames'``;
plus a ``batches.meta``), so one reading function serves both: five training batches of 2000
images (10000 training images) and a ``test_batch`` of 2000.

Its ten classes are the digits 0-9, not the CIFAR-10 objects. Each image is a small scene
composed from real material that scikit-learn ships (see :func:`render`):

* the *background* is a 32 x 32 piece of one of scikit-learn's two sample photographs
  (``load_sample_images()``: ``china.jpg``, ``flower.jpg``), cut at a random place and a random
  scale (a 32s x 32s square averaged down by s x s boxes, s in 1..4), mirrored left-right half
  of the time, with its contrast lowered (factor 0.4 to 1) and its brightness shifted (up to
  +-40 of 255) at random;
* the *object* is one of scikit-learn's 8 x 8 handwritten digits (``load_digits()``), enlarged
  so that its 8 x 8 box is 16 to 26 pixels high, turned by a random angle within +-20 degrees
  (``scipy.ndimage.affine_transform``, cubic) and centred within +-2 pixels of the image centre
  (so the ink stays inside, or nearly);
* the digit is painted in a random RGB colour, drawn until it lies at least 100 (of 255, as a
  Euclidean RGB distance) from the mean colour of the background beneath it and is lighter
  than that background in half of the images, darker in the other half; the digit's ink
  intensity, times a random opacity (0.75 to 1), is the alpha with which that colour is
  blended over the background;
* Gaussian noise (standard deviation 2 to 8 of 255) is added to every pixel, and the result is
  rounded to uint8.

The ranges are collected in ``_JITTER``; they were tuned so that a linear softmax classifier on
the raw pixels reaches only about 30% test accuracy while a small two-layer ConvNet reaches
about 88% after a few epochs (``tools/measure_cifar10_standin.py`` in the course measures both).

Labels are balanced (each class a tenth of the images, in random order). The training and test
batches are rendered from the digits with indices 0..1499 of ``load_digits()`` (the *public*
pool) with the fixed seeds :data:`TRAIN_SEED` and :data:`TEST_SEED`. Digits 1500..1796 (the
*held-out* pool, ``render(n, seed, pool="heldout")``) never appear in the stand-in: the course's
grader renders its own hidden test images from them with a seed of its own. The files are
byte-for-byte deterministic for a given seed and numpy/scipy/scikit-learn/Pillow version (pickle
protocol 4, no time stamps). Where the data folder is read-only, the stand-in is rendered in
memory instead (a few seconds).

Class names: :data:`CLASSES` are CIFAR-10's ten names; :func:`class_names` returns the names of
the data in use: those for the real data, ``"0"`` ... ``"9"`` for the stand-in.

Command line: ``python -m data.cifar10 build`` (or ``python cifar10.py build`` beside a
notebook) builds the stand-in (when no real data is present) and prints which data the notebook
will use.
"""
from __future__ import annotations

import argparse
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ENV_VAR = "CIFAR10_DIR"
DATA_DIR_ENV_VAR = "COURSE_DATA_DIR"
BATCHES_FOLDER = "cifar-10-batches-py"


def data_dir():
    """The data folder: ``$COURSE_DATA_DIR``; else this file's folder when it is the course's
    ``data`` package; else ``./data`` (beside the notebook)."""
    env = os.environ.get(DATA_DIR_ENV_VAR)
    if env:
        return Path(os.path.abspath(os.path.expanduser(env)))
    if (__package__ or "").rpartition(".")[2] == "data":
        return Path(__file__).resolve().parent
    return Path(os.path.abspath("data"))


DATA_DIR = data_dir()
REAL_DIR = DATA_DIR / "cifar10" / "real" / BATCHES_FOLDER
STANDIN_DIR = DATA_DIR / "cifar10" / "standin" / BATCHES_FOLDER

CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
           "dog", "frog", "horse", "ship", "truck")
DIGIT_CLASSES = tuple(str(k) for k in range(10))
IMAGE_SHAPE = (3, 32, 32)
TRAIN_BATCHES = tuple(f"data_batch_{k}" for k in range(1, 6))
TEST_BATCH = "test_batch"
META_FILE = "batches.meta"

STANDIN_BATCH_SIZE = 2000                   # five training batches and one test batch
TRAIN_SEED = 1031
TEST_SEED = 2063
POOLS = {"public": (0, 1500), "heldout": (1500, 1797)}   # indices into load_digits()
_STANDIN_VERSION = 1
# how much the stand-in's images vary (see render()); changing these changes the stand-in (its
# batches.meta records them, so a stand-in built with other values is rebuilt)
_JITTER = {
    "scales": (1, 4),              # background: box-downsampling factor s, 32s x 32s -> 32 x 32
    "contrast": (0.4, 1.0),        # background contrast factor
    "shift": 40.0,                 # background brightness shift, +- (0..255 units)
    "height": (16.0, 26.0),        # digit height in pixels (the 8 x 8 digit's full box)
    "angle": 20.0,                 # digit rotation, +- degrees
    "offset": 2.0,                 # digit centre, +- pixels from the image centre (each axis)
    "opacity": (0.75, 1.0),        # multiplies the digit's ink intensity (alpha)
    "distance": 100.0,             # least distance of the digit's colour from the background's
    "noise": (2.0, 8.0),           # standard deviation of the Gaussian pixel noise
    "lighter": 0.5,                # probability that the digit is lighter than its background
}
_PICKLE_PROTOCOL = 4


# ----------------------------------------------------------------------------- reading

def read_batch(path):
    """One CIFAR-10 python batch file: ``(X, y)``, X uint8 (N, 3, 32, 32), y int64 (N,)."""
    with open(path, "rb") as fh:
        batch = pickle.load(fh, encoding="bytes")
    return parse_batch(batch, path)


def parse_batch(batch, where="batch"):
    """``(X, y)`` from a batch dict as unpickled (keys ``b'data'`` and ``b'labels'``), checked."""
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise ValueError(f"{where}: not a CIFAR-10 batch (a pickled dict with b'data' and b'labels')")
    data = np.asarray(batch[b"data"])
    labels = np.asarray(batch[b"labels"], dtype=np.int64)
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"{where}: b'data' is {data.dtype} {data.shape}, expected uint8 (N, 3072)")
    if labels.shape != (data.shape[0],):
        raise ValueError(f"{where}: {labels.shape[0]} labels for {data.shape[0]} images")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{where}: labels must lie in 0..9")
    return data.reshape(-1, *IMAGE_SHAPE).copy(), labels


def _train_files(folder):
    folder = Path(folder)
    files = []
    k = 1
    while (folder / f"data_batch_{k}").is_file():
        files.append(folder / f"data_batch_{k}")
        k += 1
    return files


def is_batches_folder(folder):
    """True when ``folder`` holds ``test_batch`` and at least ``data_batch_1``."""
    folder = Path(folder)
    return (folder / TEST_BATCH).is_file() and (folder / "data_batch_1").is_file()


def read_folder(folder):
    """``(X_train, y_train, X_test, y_test)`` from a ``cifar-10-batches-py`` folder: all
    ``data_batch_<k>`` files in order, then ``test_batch``."""
    folder = Path(folder)
    if not is_batches_folder(folder):
        raise FileNotFoundError(f"{folder} holds no CIFAR-10 python batches "
                                f"(data_batch_1 ... and {TEST_BATCH})")
    parts = [read_batch(f) for f in _train_files(folder)]
    X_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    X_test, y_test = read_batch(folder / TEST_BATCH)
    return X_train, y_train, X_test, y_test


# ----------------------------------------------------------------------------- stand-in

_MATERIAL = {}


def _material():
    """The digits (float64 (1797, 8, 8) in [0, 1]), their labels, and the two photographs
    (float64 (427, 640, 3) in [0, 255]); loaded once per process."""
    if not _MATERIAL:
        from sklearn.datasets import load_digits, load_sample_images

        digits = load_digits()
        photos = load_sample_images()
        order = sorted(range(len(photos.filenames)), key=lambda i: Path(photos.filenames[i]).name)
        _MATERIAL["digits"] = np.asarray(digits.images, dtype=np.float64) / 16.0
        _MATERIAL["labels"] = np.asarray(digits.target, dtype=np.int64)
        _MATERIAL["photos"] = [np.asarray(photos.images[i], dtype=np.float64) for i in order]
    return _MATERIAL


def _background(rng, photos):
    photo = photos[rng.integers(len(photos))]
    lo, hi = _JITTER["scales"]
    scale = int(rng.integers(lo, hi + 1))                  # 32s x 32s square, s x s boxes
    size = 32 * scale
    top = rng.integers(0, photo.shape[0] - size + 1)
    left = rng.integers(0, photo.shape[1] - size + 1)
    patch = photo[top:top + size, left:left + size]
    patch = patch.reshape(32, scale, 32, scale, 3).mean(axis=(1, 3))
    if rng.random() < 0.5:
        patch = patch[:, ::-1]
    mean = patch.mean(axis=(0, 1))
    contrast = rng.uniform(*_JITTER["contrast"])
    shift = rng.uniform(-_JITTER["shift"], _JITTER["shift"])
    return np.clip(mean + (patch - mean) * contrast + shift, 0.0, 255.0)


def _glyph(rng, digit):
    """The digit as an alpha mask (32, 32) in [0, 1]: enlarged, turned and placed at random."""
    from scipy import ndimage

    padded = np.pad(digit, 2)                              # 12 x 12, centre at (5.5, 5.5)
    height = rng.uniform(*_JITTER["height"])
    angle = np.deg2rad(rng.uniform(-_JITTER["angle"], _JITTER["angle"]))
    centre = 16.0 + rng.uniform(-_JITTER["offset"], _JITTER["offset"], size=2)
    step = 8.0 / height                                    # digit pixels per image pixel
    cos, sin = np.cos(angle), np.sin(angle)
    matrix = step * np.array([[cos, -sin], [sin, cos]])
    offset = np.array([5.5, 5.5]) - matrix @ (centre - 0.5)
    glyph = ndimage.affine_transform(padded, matrix, offset=offset, output_shape=(32, 32),
                                     order=3, mode="constant", cval=0.0)
    return np.clip(glyph * 1.25, 0.0, 1.0)


def _luma(rgb):
    return rgb @ np.array([0.299, 0.587, 0.114])


def _colour(rng, under):
    """A random RGB colour far enough (Euclidean, 0..255 units) from the colour ``under``;
    lighter than it with probability ``_JITTER["lighter"]`` where that is possible."""
    lighter = rng.random() < _JITTER["lighter"]
    for _ in range(50):
        colour = rng.uniform(0.0, 255.0, size=3)
        if (np.linalg.norm(colour - under) >= _JITTER["distance"]
                and (_luma(colour) > _luma(under)) == lighter):
            return colour
    return np.where(under > 127.5, 0.0, 255.0)


def render(n, seed, pool="public", return_index=False):
    """Render ``n`` stand-in images: ``(X, y)``, X uint8 (n, 3, 32, 32), y int64 (n,) in 0..9.

    ``pool`` chooses the digit material: ``"public"`` (``load_digits()`` indices 0..1499, used
    by the stand-in files) or ``"heldout"`` (indices 1500..1796). Deterministic for a given
    ``(n, seed, pool)``. With ``return_index=True`` also returns the ``load_digits()`` index of
    each image's digit.
    """
    if pool not in POOLS:
        raise ValueError(f"pool must be one of {sorted(POOLS)}, not {pool!r}")
    material = _material()
    lo, hi = POOLS[pool]
    labels = material["labels"]
    by_class = [lo + np.flatnonzero(labels[lo:hi] == c) for c in range(10)]
    rng = np.random.default_rng([seed, lo])
    y = rng.permutation(np.arange(n) % 10).astype(np.int64)
    index = np.empty(n, dtype=np.int64)
    X = np.empty((n, *IMAGE_SHAPE), dtype=np.uint8)
    for i in range(n):
        index[i] = by_class[y[i]][rng.integers(len(by_class[y[i]]))]
        background = _background(rng, material["photos"])
        alpha = _glyph(rng, material["digits"][index[i]]) * rng.uniform(*_JITTER["opacity"])
        weight = alpha.sum()
        under = (background * alpha[..., None]).sum(axis=(0, 1)) / max(weight, 1e-9)
        colour = _colour(rng, under)
        image = background * (1.0 - alpha[..., None]) + colour * alpha[..., None]
        image += rng.normal(0.0, rng.uniform(*_JITTER["noise"]), size=image.shape)
        X[i] = np.clip(np.rint(image), 0, 255).astype(np.uint8).transpose(2, 0, 1)
    return (X, y, index) if return_index else (X, y)


def make_standin(batch_size=None, train_seed=TRAIN_SEED, test_seed=TEST_SEED):
    """The stand-in batches as ``{file name: batch dict}`` (see the module docstring); five
    training batches and a test batch of ``batch_size`` (default :data:`STANDIN_BATCH_SIZE`)
    images each, plus ``batches.meta``."""
    batch_size = STANDIN_BATCH_SIZE if batch_size is None else int(batch_size)
    n_train = batch_size * len(TRAIN_BATCHES)
    X_train, y_train = render(n_train, train_seed, "public")
    X_test, y_test = render(batch_size, test_seed, "public")
    batches = {}
    for k, name in enumerate(TRAIN_BATCHES):
        part = slice(k * batch_size, (k + 1) * batch_size)
        batches[name] = _batch_dict(f"training batch {k + 1} of {len(TRAIN_BATCHES)} (stand-in)",
                                    X_train[part], y_train[part], k * batch_size)
    batches[TEST_BATCH] = _batch_dict("testing batch 1 of 1 (stand-in)", X_test, y_test, n_train)
    batches[META_FILE] = {
        b"num_cases_per_batch": batch_size,
        b"label_names": [name.encode() for name in DIGIT_CLASSES],
        b"num_vis": 3 * 32 * 32,
        b"standin_version": _STANDIN_VERSION,
        b"seeds": [train_seed, test_seed],
        b"jitter": _jitter_key(),
    }
    return batches


def _batch_dict(label, X, y, first):
    return {
        b"batch_label": label.encode(),
        b"labels": [int(v) for v in y],
        b"data": np.ascontiguousarray(X.reshape(len(X), -1)),
        b"filenames": [f"standin_{first + i:05d}.png".encode() for i in range(len(X))],
    }


def build_standin(folder=None, batch_size=None, train_seed=TRAIN_SEED, test_seed=TEST_SEED,
                  verbose=True):
    """Write the stand-in ``cifar-10-batches-py`` folder (default :data:`STANDIN_DIR`; written
    into a temporary folder beside it, then renamed into place); returns its path."""
    folder = Path(STANDIN_DIR if folder is None else folder)
    batch_size = STANDIN_BATCH_SIZE if batch_size is None else int(batch_size)
    folder.parent.mkdir(parents=True, exist_ok=True)
    batches = make_standin(batch_size, train_seed, test_seed)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".building-"))
    try:
        for name, content in batches.items():
            with open(tmp / name, "wb") as fh:
                pickle.dump(content, fh, protocol=_PICKLE_PROTOCOL)
            os.chmod(tmp / name, 0o644)
        os.chmod(tmp, 0o755)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    if verbose:
        n_train = batch_size * len(TRAIN_BATCHES)
        print(f"[cifar10] built the stand-in {folder} ({n_train} training + {batch_size} test images)")
    return folder


def _jitter_key():
    return repr(sorted((k, tuple(v) if isinstance(v, (list, tuple)) else v)
                       for k, v in _JITTER.items())).encode()


def _standin_is_current(folder):
    folder = Path(folder)
    try:
        with open(folder / META_FILE, "rb") as fh:
            meta = pickle.load(fh, encoding="bytes")
        return (meta.get(b"standin_version") == _STANDIN_VERSION
                and meta.get(b"num_cases_per_batch") == STANDIN_BATCH_SIZE
                and meta.get(b"seeds") == [TRAIN_SEED, TEST_SEED]
                and meta.get(b"jitter") == _jitter_key()
                and all((folder / name).is_file() for name in (*TRAIN_BATCHES, TEST_BATCH)))
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError, TypeError):
        return False


# ----------------------------------------------------------------------------- choosing

def _real_dir_from_env():
    env = os.environ.get(ENV_VAR)
    if not env:
        return None
    path = Path(env).expanduser().resolve()
    for candidate in (path, path / BATCHES_FOLDER):
        if is_batches_folder(candidate):
            return candidate
    raise FileNotFoundError(f"{ENV_VAR}={env} holds no CIFAR-10 python batches "
                            f"(data_batch_1 ... and {TEST_BATCH})")


def using_real_data():
    """True when the real CIFAR-10 batches are present (``$CIFAR10_DIR`` or :data:`REAL_DIR`)."""
    return _real_dir_from_env() is not None or is_batches_folder(REAL_DIR)


def class_names():
    """The names of the ten classes of the data in use: :data:`CLASSES` for the real data,
    ``"0"`` ... ``"9"`` (:data:`DIGIT_CLASSES`) for the stand-in."""
    return CLASSES if using_real_data() else DIGIT_CLASSES


def find_cifar10_dir(verbose=True):
    """``(folder, kind, how)``: the batches folder in use, kind ``'real'`` or ``'standin'``
    (the stand-in is built if needed; where its folder is read-only, folder is None and the
    stand-in is rendered in memory)."""
    env_dir = _real_dir_from_env()
    if env_dir is not None:
        return env_dir, "real", f"from ${ENV_VAR}"
    if is_batches_folder(REAL_DIR):
        return REAL_DIR, "real", "found"
    if _standin_is_current(STANDIN_DIR):
        return STANDIN_DIR, "standin", "built earlier"
    if verbose:
        print(f"[cifar10] no real data at {REAL_DIR}: building the stand-in {STANDIN_DIR} "
              "(once, about ten seconds)")
    try:
        build_standin(STANDIN_DIR, verbose=False)
        return STANDIN_DIR, "standin", "just built"
    except OSError:
        return None, "standin", ("rendered in memory: the data folder is read-only; "
                                 "`python -m data.cifar10 build` builds it in the course")


def _first(X, y, n, what):
    if n is None:
        return X, y
    if n < 0:
        raise ValueError(f"{what} must be >= 0, not {n}")
    return X[:n], y[:n]


def load_cifar10(num_train=None, num_test=None, verbose=True):
    """Return ``(X_train, y_train, X_test, y_test)``: X uint8 (N, 3, 32, 32), y int64 (N,).

    The real CIFAR-10 when present, else the stand-in (built on first use). ``num_train`` /
    ``num_test`` keep the first that many images of each split (all of them when None or when
    fewer are available: the stand-in has 10000 training and 2000 test images). Prints one line
    saying which data are used (unless ``verbose=False``).
    """
    folder, kind, how = find_cifar10_dir(verbose)
    if folder is not None:
        X_train, y_train, X_test, y_test = read_folder(folder)
    else:
        batches = make_standin()
        parts = [parse_batch(batches[name], name) for name in TRAIN_BATCHES]
        X_train = np.concatenate([p[0] for p in parts])
        y_train = np.concatenate([p[1] for p in parts])
        X_test, y_test = parse_batch(batches[TEST_BATCH], TEST_BATCH)
    X_train, y_train = _first(X_train, y_train, num_train, "num_train")
    X_test, y_test = _first(X_test, y_test, num_test, "num_test")
    if verbose:
        shapes = f"train {X_train.shape}, test {X_test.shape}"
        if kind == "real":
            print(f"[cifar10] using the REAL CIFAR-10 from {folder} ({how}): {shapes}")
        else:
            where = folder if folder is not None else "memory"
            print(f"[cifar10] using the STAND-IN (digits 0-9 drawn over photographs, not CIFAR-10's "
                  f"objects) from {where} ({how}): {shapes}; put the real `{BATCHES_FOLDER}` "
                  f"folder at {REAL_DIR} to use CIFAR-10")
    return X_train, y_train, X_test, y_test


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build"])
    parser.parse_args(argv)
    if using_real_data():
        folder, _, how = find_cifar10_dir()
        print(f"[cifar10] real data present ({folder}, {how}); stand-in not needed: "
              "the notebook will use the REAL CIFAR-10")
    else:
        if _standin_is_current(STANDIN_DIR):
            print(f"[cifar10] stand-in up to date: {STANDIN_DIR}")
        else:
            build_standin(STANDIN_DIR)
        print(f"[cifar10] the notebook will use the STAND-IN (no real data at {REAL_DIR})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
