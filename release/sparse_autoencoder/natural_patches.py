"""Natural-image patches for the `sparse_autoencoder` assignment: real loader and offline stand-in.

This file is self-contained: the course keeps it in ``data/`` and ships a copy beside the
notebook of the assignment (``import natural_patches``).

Where the data live (the *data folder*)
---------------------------------------
1. the folder named by the environment variable ``COURSE_DATA_DIR`` when it is set (the
   course's ``data/`` folder: autograde uses its prebuilt stand-in);
2. else, when this file is the course's own ``data/natural_patches.py`` (imported as
   ``data.natural_patches``, e.g. ``python -m data.natural_patches build``), the folder it
   lives in;
3. else ``data/`` in the current working directory: for a student, beside the notebook.

Real data
---------
The original course file ``assign3_data1.h5`` holds a dataset ``data`` of shape
``(10240, 3, 16, 16)``: RGB patches of natural images with values in [0, 1] (it may hold other
datasets too, which are ignored). Put it at ``<data folder>/natural_patches/real/assign3_data1.h5``
(a student: ``data/natural_patches/real/assign3_data1.h5`` beside the notebook), or point the
environment variable ``NATURAL_PATCHES_FILE`` at such a file.

Stand-in
--------
Without the real file, :func:`load_patches` uses (building it first when missing, with a
printed note) ``<data folder>/natural_patches/standin/patches.h5``, which has the same layout:
10240 RGB patches of 16 x 16 pixels in [0, 1], cut from the two real photographs that
scikit-learn ships (``sklearn.datasets.load_sample_images()``: ``china.jpg`` and
``flower.jpg``, 427 x 640 each).
How (see :func:`build_standin`): each photograph is used at full resolution and at half
resolution (2 x 2 box average); 10240 patch positions are drawn with ``numpy.random.default_rng(seed)``,
a quarter from each (photograph, scale) pair, each patch also randomly flipped left-right; the
values are uint8 / 255, stored as float32. The file is byte-for-byte deterministic for a given
seed and scikit-learn/Pillow version (no HDF5 time stamps). Where the data folder is read-only,
the patches are made in memory instead.

Command line: ``python -m data.natural_patches build`` (or ``python natural_patches.py build``
beside a notebook) builds the stand-in (when no real data is present) and prints which data the
notebook will use.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np

ENV_VAR = "NATURAL_PATCHES_FILE"
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
REAL_FILE = DATA_DIR / "natural_patches" / "real" / "assign3_data1.h5"
STANDIN_FILE = DATA_DIR / "natural_patches" / "standin" / "patches.h5"
N_PATCHES = 10240
PATCH = 16
SEED = 443
_STANDIN_VERSION = 1


def _check(array, where):
    if array.ndim != 4 or array.shape[1:] != (3, PATCH, PATCH):
        raise ValueError(f"{where}: dataset 'data' has shape {array.shape}, expected (N, 3, 16, 16)")
    if array.size and (array.min() < 0 or array.max() > 1):
        raise ValueError(f"{where}: values must lie in [0, 1]")
    return array


def read_patches(path):
    """The dataset ``data`` of an HDF5 file as float64 (N, 3, 16, 16)."""
    with h5py.File(path, "r") as fh:
        if "data" not in fh:
            raise KeyError(f"{path} has no dataset 'data' (found {sorted(fh)})")
        return _check(np.asarray(fh["data"][()], dtype=np.float64), str(path))


def _half(image):
    h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    im = image[:h, :w].astype(np.float64)
    return (im[0::2, 0::2] + im[1::2, 0::2] + im[0::2, 1::2] + im[1::2, 1::2]) / 4.0


def make_standin(n=N_PATCHES, seed=SEED):
    """The stand-in patches as float32 (n, 3, 16, 16) in [0, 1] (see the module docstring)."""
    from sklearn.datasets import load_sample_images

    photos = load_sample_images().images                 # two (427, 640, 3) uint8 arrays
    sources = [np.asarray(p, dtype=np.float64) for p in photos]
    sources += [_half(p) for p in photos]
    rng = np.random.default_rng(seed)
    out = np.empty((n, 3, PATCH, PATCH), dtype=np.float32)
    which = np.arange(n) % len(sources)
    rng.shuffle(which)
    for k in range(n):
        image = sources[which[k]]
        top = rng.integers(0, image.shape[0] - PATCH + 1)
        left = rng.integers(0, image.shape[1] - PATCH + 1)
        patch = image[top:top + PATCH, left:left + PATCH]
        if rng.random() < 0.5:
            patch = patch[:, ::-1]
        out[k] = (np.round(patch) / 255.0).transpose(2, 0, 1)
    return out


def build_standin(path=STANDIN_FILE, n=N_PATCHES, seed=SEED, verbose=True):
    """Write the stand-in HDF5 file (dataset ``data``) atomically; returns its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    patches = make_standin(n, seed)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".h5")
    os.close(fd)
    try:
        with h5py.File(tmp, "w", track_order=False) as fh:
            fh.create_dataset("data", data=patches, chunks=(256, 3, PATCH, PATCH),
                              compression="gzip", compression_opts=6, shuffle=True,
                              track_times=False)
            fh.attrs["standin_version"] = _STANDIN_VERSION
            fh.attrs["seed"] = seed
            fh.attrs["source"] = "scikit-learn load_sample_images(): china.jpg, flower.jpg"
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    if verbose:
        print(f"[natural_patches] built the stand-in {path} ({n} patches)")
    return path


def _standin_is_current(path):
    try:
        with h5py.File(path, "r") as fh:
            return fh.attrs.get("standin_version") == _STANDIN_VERSION and fh["data"].shape[0] > 0
    except (OSError, KeyError):
        return False


def find_patches_file(verbose=True):
    """(path, kind): the file in use, kind 'real' or 'standin' (the stand-in is built if needed;
    where its folder is read-only, the patches are built in memory and path is None)."""
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser().resolve()
        if not path.is_file():
            raise FileNotFoundError(f"{ENV_VAR}={env} is not a file")
        return path, "real", f"from ${ENV_VAR}"
    if REAL_FILE.is_file():
        return REAL_FILE, "real", "found"
    if _standin_is_current(STANDIN_FILE):
        return STANDIN_FILE, "standin", f"no real data at {REAL_FILE}"
    if verbose:
        print(f"[natural_patches] no real data at {REAL_FILE}: building the stand-in "
              f"{STANDIN_FILE} (once, a few seconds)")
    try:
        build_standin(STANDIN_FILE, verbose=verbose)
        return STANDIN_FILE, "standin", f"just built; no real data at {REAL_FILE}"
    except OSError:
        return None, "standin", ("built in memory: the data folder is read-only; "
                                 "`python -m data.natural_patches build` builds it in the course")


def load_patches(verbose=True):
    """Return ``(patches, kind)``: float64 (N, 3, 16, 16) in [0, 1] and 'real' or 'standin'.

    Prints one line saying which data are used (unless ``verbose=False``).
    """
    path, kind, how = find_patches_file(verbose)
    patches = read_patches(path) if path is not None else make_standin().astype(np.float64)
    if verbose:
        if kind == "real":
            print(f"[natural_patches] using the REAL patches {path} ({how}): {patches.shape}")
        else:
            print(f"[natural_patches] using the STAND-IN patches cut from scikit-learn's sample "
                  f"photographs ({how}): {patches.shape}; put assign3_data1.h5 at {REAL_FILE} "
                  "to use the real data")
    return patches, kind


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build"])
    parser.parse_args(argv)
    if REAL_FILE.is_file() or os.environ.get(ENV_VAR):
        path, kind, how = find_patches_file()
        print(f"[natural_patches] real data present ({path}); stand-in not needed")
    elif _standin_is_current(STANDIN_FILE):
        print(f"[natural_patches] stand-in up to date: {STANDIN_FILE}")
    else:
        build_standin(STANDIN_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
