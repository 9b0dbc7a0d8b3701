"""Handwritten digits read as sequences for the `sequence_models` assignment: MNIST or a fallback.

This file is self-contained: the course keeps it in ``data/`` and ships a copy beside the
notebook of the assignment (``import mnist_sequences``).

An image of ``rows x cols`` pixels read row by row, top to bottom, is a sequence of ``rows``
steps of ``cols`` features; its label is the digit drawn (0-9), known at the last step only.
:func:`load_digit_sequences` returns the images in exactly that layout: float32 arrays of shape
``(N, rows, cols)`` with values in [0, 1], and int64 labels.

Where the data live (the *data folder*)
---------------------------------------
1. the folder named by the environment variable ``COURSE_DATA_DIR`` when it is set (the
   course's ``data/`` folder: autograde reads the course's data);
2. else, when this file is the course's own ``data/mnist_sequences.py`` (imported as
   ``data.mnist_sequences``, e.g. ``python -m data.mnist_sequences build``), the folder it
   lives in;
3. else ``data/`` in the current working directory: for a student, beside the notebook.

Real data
---------
MNIST in its original IDX format: the four files ``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each
either as it is or gzipped (``.gz`` added to the name, as they are downloaded). Put them in
``<data folder>/mnist/real/`` (a student: ``data/mnist/real/`` beside the notebook), or point
the environment variable ``MNIST_DIR`` at a folder holding them. They are parsed here with
numpy (:func:`read_idx`: the magic number, then big-endian dimensions, then the values);
60000 training and 10000 test images of 28 x 28 pixels, uint8 / 255 -> sequences of 28 steps of
28 features. A file that is truncated, has a wrong magic number or does not match its partner
raises a ``ValueError`` that names it.

Stand-in
--------
Without MNIST, :func:`load_digit_sequences` uses the 1797 real handwritten digits that
scikit-learn ships (``sklearn.datasets.load_digits()``: 8 x 8 images with values 0..16, here
divided by 16 -> sequences of 8 steps of 8 features), split deterministically into training
and test images by :func:`make_standin` (stratified by digit, 20% test, a fixed seed: 1437
training and 360 test images, whatever the machine). Nothing is written to disk for it, so a
read-only data folder is no obstacle; the labels are the same digits 0-9 as MNIST's.

Command line: ``python -m data.mnist_sequences build`` (or ``python mnist_sequences.py build``
beside a notebook) checks the data and prints which the notebook will use (the stand-in needs
no building; the command works offline).
"""
from __future__ import annotations

import argparse
import gzip
import os
import sys
from pathlib import Path

import numpy as np

ENV_VAR = "MNIST_DIR"
DATA_DIR_ENV_VAR = "COURSE_DATA_DIR"


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
REAL_DIR = DATA_DIR / "mnist" / "real"
FILES = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
         "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}
NUM_CLASSES = 10
TEST_FRACTION = 0.2                 # of the stand-in's 1797 digits
SEED = 577                          # the stand-in's split

# IDX type codes (third byte of the magic number) -> big-endian numpy dtypes
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


# ----------------------------------------------------------------------------- reading IDX

def _raw_bytes(path):
    path = Path(path)
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except (OSError, EOFError) as err:          # gzip.BadGzipFile is an OSError
        raise ValueError(f"{path}: cannot be read as {'gzip' if path.name.endswith('.gz') else 'a file'} "
                         f"({err})") from err


def parse_idx(raw, where="IDX data"):
    """The array held by the bytes of an IDX file (magic number 0x0000TTNN: type code TT, NN
    dimensions, then NN big-endian uint32 sizes, then the values, big-endian)."""
    if len(raw) < 4:
        raise ValueError(f"{where}: {len(raw)} bytes, too short for an IDX file's magic number")
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(f"{where}: not an IDX file (magic number {raw[:4].hex()}, expected "
                         "00 00, a type code 08/09/0b/0c/0d/0e, the number of dimensions)")
    dtype, ndim = np.dtype(_IDX_TYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise ValueError(f"{where}: truncated header ({len(raw)} bytes for {ndim} dimensions)")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(f"{where}: {len(raw)} bytes, but its header promises {expected} "
                         f"(shape {shape}, {dtype.itemsize}-byte values): truncated or corrupt")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path):
    """The array stored in the IDX file ``path`` (gzipped when its name ends in ``.gz``)."""
    return parse_idx(_raw_bytes(path), str(path))


def find_idx_file(folder, name):
    """The file ``name`` or ``name.gz`` in ``folder`` (also with the ``.idx`` spelling some
    mirrors use, e.g. ``t10k-images.idx3-ubyte``), or None."""
    folder = Path(folder)
    for stem in (name, name.replace("-idx", ".idx")):
        for candidate in (folder / stem, folder / (stem + ".gz")):
            if candidate.is_file():
                return candidate
    return None


def is_mnist_folder(folder):
    """True when ``folder`` holds the four MNIST IDX files (plain or gzipped)."""
    return all(find_idx_file(folder, name) is not None for name in FILES.values())


def _images(path):
    images = read_idx(path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"{path}: expected uint8 images of shape (N, rows, cols), found "
                         f"{images.dtype} {images.shape}")
    return images.astype(np.float32) / np.float32(255.0)


def _labels(path, n_images):
    labels = read_idx(path)
    if labels.ndim != 1:
        raise ValueError(f"{path}: expected labels of shape (N,), found {labels.shape}")
    if labels.shape[0] != n_images:
        raise ValueError(f"{path}: {labels.shape[0]} labels for {n_images} images")
    if labels.size and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise ValueError(f"{path}: labels must lie in 0..{NUM_CLASSES - 1}")
    return labels.astype(np.int64)


def read_folder(folder):
    """``(X_train, y_train, X_test, y_test)`` from the IDX files in ``folder``: X float32
    (N, rows, cols) in [0, 1], y int64 (N,)."""
    paths = {key: find_idx_file(folder, name) for key, name in FILES.items()}
    missing = [FILES[key] for key, path in paths.items() if path is None]
    if missing:
        raise FileNotFoundError(f"{folder} lacks {', '.join(missing)} (plain or .gz)")
    X_train = _images(paths["train_images"])
    X_test = _images(paths["test_images"])
    if X_train.shape[1:] != X_test.shape[1:]:
        raise ValueError(f"{folder}: training images {X_train.shape[1:]} and test images "
                         f"{X_test.shape[1:]} differ in size")
    y_train = _labels(paths["train_labels"], X_train.shape[0])
    y_test = _labels(paths["test_labels"], X_test.shape[0])
    return X_train, y_train, X_test, y_test


# ----------------------------------------------------------------------------- the stand-in

def make_standin(test_fraction=TEST_FRACTION, seed=SEED):
    """``(X_train, y_train, X_test, y_test)`` from scikit-learn's 8 x 8 digits: X float32
    (N, 8, 8) = value / 16, y int64; a stratified split, the same for the same arguments."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = (np.asarray(digits.images, dtype=np.float64) / 16.0).astype(np.float32)
    y = np.asarray(digits.target, dtype=np.int64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_fraction, random_state=seed, stratify=y)
    return (np.ascontiguousarray(X_train), np.ascontiguousarray(y_train),
            np.ascontiguousarray(X_test), np.ascontiguousarray(y_test))


# ----------------------------------------------------------------------------- choosing

def _real_dir_from_env():
    env = os.environ.get(ENV_VAR)
    if not env:
        return None
    path = Path(env).expanduser().resolve()
    if not is_mnist_folder(path):
        raise FileNotFoundError(f"{ENV_VAR}={env} does not hold the four MNIST IDX files "
                                f"({', '.join(FILES.values())}, plain or .gz)")
    return path


def find_mnist_dir():
    """``(folder, kind, how)``: the MNIST folder and 'real', or ``(None, 'standin', why)``."""
    env_dir = _real_dir_from_env()
    if env_dir is not None:
        return env_dir, "real", f"from ${ENV_VAR}"
    if is_mnist_folder(REAL_DIR):
        return REAL_DIR, "real", "found"
    return None, "standin", f"no MNIST IDX files in {REAL_DIR}"


def load_digit_sequences(verbose=True):
    """Return ``(X_train, y_train, X_test, y_test, kind)``.

    X float32 of shape (N, rows, cols) in [0, 1]: each image is a sequence of ``rows`` steps of
    ``cols`` features (MNIST: 28 x 28; the stand-in: 8 x 8); y int64 labels 0..9; kind 'real'
    (MNIST) or 'standin' (scikit-learn's digits). Prints one line saying which data are used
    (unless ``verbose=False``).
    """
    folder, kind, how = find_mnist_dir()
    if folder is not None:
        X_train, y_train, X_test, y_test = read_folder(folder)
    else:
        X_train, y_train, X_test, y_test = make_standin()
    if verbose:
        shapes = f"train {X_train.shape}, test {X_test.shape}"
        steps = f"sequences of {X_train.shape[1]} steps of {X_train.shape[2]} features"
        if kind == "real":
            print(f"[mnist_sequences] using the REAL MNIST from {folder} ({how}): {shapes}, {steps}")
        else:
            print(f"[mnist_sequences] using the STAND-IN, scikit-learn's 8 x 8 handwritten digits "
                  f"({how}): {shapes}, {steps}; put the four MNIST IDX files in {REAL_DIR} to use MNIST")
    return X_train, y_train, X_test, y_test, kind


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build"])
    parser.parse_args(argv)
    folder, kind, how = find_mnist_dir()
    if kind == "real":
        X_train, _, X_test, _ = read_folder(folder)
        print(f"[mnist_sequences] real data present ({folder}, {how}): {X_train.shape[0]} training "
              f"and {X_test.shape[0]} test images of {X_train.shape[1]} x {X_train.shape[2]}; "
              "the notebook will use the REAL MNIST")
    else:
        X_train, _, X_test, _ = make_standin()
        print(f"[mnist_sequences] nothing to build: the notebook will use the STAND-IN, "
              f"scikit-learn's 8 x 8 digits ({X_train.shape[0]} training and {X_test.shape[0]} test "
              f"images; {how})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
