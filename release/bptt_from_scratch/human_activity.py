"""Human-activity accelerometer windows (`bptt_from_scratch`): real loader and offline stand-in.

This file is self-contained (numpy and h5py): the course keeps it in ``data/`` and ships a copy
beside the notebook of the assignment (``import human_activity``).

Where the data live (the *data folder*)
---------------------------------------
1. the folder named by the environment variable ``COURSE_DATA_DIR`` when it is set (the
   course's ``data/`` folder: autograde uses its prebuilt stand-in);
2. else, when this file is the course's own ``data/human_activity.py`` (imported as
   ``data.human_activity``, e.g. ``python -m data.human_activity build``), the folder it
   lives in;
3. else ``data/`` in the current working directory: for a student, beside the notebook.

Real data
---------
The original course file ``assign3_data3.h5`` holds four datasets: ``trX`` of shape
``(3000, 150, 3)`` and ``tstX`` of shape ``(600, 150, 3)``, windows of 150 time steps of a
three-axis accelerometer, and their one-hot labels ``trY`` ``(3000, 6)`` and ``tstY``
``(600, 6)``, in the class order of :data:`ACTIVITIES` (downstairs, jogging, sitting,
standing, upstairs, walking). Other datasets in the file are ignored. Put it at
``<data folder>/human_activity/real/assign3_data3.h5`` (a student:
``data/human_activity/real/assign3_data3.h5`` beside the notebook), or point the environment
variable ``HUMAN_ACTIVITY_FILE`` at such a file. The loader checks the shapes and that every
label row is one-hot; it does not rescale the signals.

Stand-in
--------
Without the real file, :func:`load_activity` uses (building it first when missing, with a
printed note) ``<data folder>/human_activity/standin/activity.h5``, which has the same layout:
3000 training and 600 test windows of 150 steps x 3 axes, 500 and 100 per class, in a shuffled
order. The signals are synthetic, in units of g (standard gravity; magnitudes stay within
about +-3), sampled at 20 Hz (a window is 7.5 s), as from a phone in a front trouser pocket:
axis x lateral, axis y along the thigh (vertical when standing), axis z out of the thigh
(forward). How each window is made (see :func:`make_standin`; every random number comes from
``numpy.random.default_rng(seed)``):

* **gravity and posture**: the 1 g of gravity is split over the axes by the thigh's pitch
  (rotation in the y-z plane) and a roll (y-x plane). Upright activities (standing, walking,
  jogging, stairs) have a pitch near 0 (gravity on y), sitting a pitch near 75 degrees (gravity
  mostly on z); every window draws its own pitch and roll jitter (about 10 degrees), and a slow
  random drift of both over the window. Standing and sitting add only a faint body sway: the
  posture classes are easy, and tell apart by which axis carries gravity.
* **gait** (walking, jogging, upstairs, downstairs): a step phase advances at the step
  frequency (walking 1.8 Hz, jogging 2.6 Hz, upstairs 1.6 Hz, downstairs 1.9 Hz, each window's
  subject multiplies it by about 1 +- 12%, and the phase wanders from step to step). The thigh
  swings at half the step frequency (one stride), which moves gravity between y and z (a swing
  of 12-24 degrees, largest upstairs, where the thigh is lifted high); the body's vertical
  acceleration adds a waveform on y made of the step harmonics, whose shape depends on the
  activity: downstairs a sharp landing impact (peaks upward), upstairs a push-off (peaks
  downward), walking nearly sinusoidal; jogging is about twice as strong as walking. The
  forward lean differs (upstairs about 12 degrees forward, downstairs 8 back, with the
  per-window jitter of 10 degrees). Each step's
  amplitude and shape vary randomly, and the stair classes overlap with walking in frequency
  and amplitude, so a single step is ambiguous: the gait classes are told apart only by
  integrating the step shape, the stride swing and the lean over many steps.
* **subject and sensor**: every window draws its own amplitude scale (log-normal, about
  +-20%), a calibration offset per axis (about 0.05 g) and white sensor noise (0.04-0.12 g).

The stand-in is tuned so that the three numpy models of the notebook (vanilla RNN, LSTM, GRU,
many-to-one) separate: the gated models reach clearly higher test accuracy than the vanilla
RNN (``python tools/measure_activity_standin.py``). The file is byte-for-byte deterministic
for a given seed and numpy version (stored as float32, no HDF5 time stamps). Where the data
folder is read-only, the windows are made in memory instead.

Command line: ``python -m data.human_activity build`` (or ``python human_activity.py build``
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

ENV_VAR = "HUMAN_ACTIVITY_FILE"
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
REAL_FILE = DATA_DIR / "human_activity" / "real" / "assign3_data3.h5"
STANDIN_FILE = DATA_DIR / "human_activity" / "standin" / "activity.h5"
ACTIVITIES = ("downstairs", "jogging", "sitting", "standing", "upstairs", "walking")
N_TRAIN = 3000
N_TEST = 600
STEPS = 150
AXES = 3
RATE_HZ = 20.0
SEED = 3443
_STANDIN_VERSION = 1
_KEYS = ("trX", "trY", "tstX", "tstY")

# Per activity: step frequency (Hz), vertical amplitude (g), thigh swing (degrees), mean pitch
# (degrees), and the 2nd/3rd step harmonics (relative amplitude, phase) that shape each step.
_GAIT = {
    "walking":    dict(freq=1.8, amp=0.30, swing=18.0, pitch=0.0, h2=(0.25, 0.0), h3=(0.05, 0.0)),
    "jogging":    dict(freq=2.6, amp=0.65, swing=24.0, pitch=4.0, h2=(0.35, 0.0), h3=(0.10, 0.0)),
    "upstairs":   dict(freq=1.6, amp=0.28, swing=24.0, pitch=12.0, h2=(0.45, np.pi), h3=(0.20, np.pi)),
    "downstairs": dict(freq=1.9, amp=0.34, swing=12.0, pitch=-8.0, h2=(0.45, 0.0), h3=(0.20, 0.0)),
}
_POSTURE_PITCH = {"standing": 0.0, "sitting": 75.0}
_FREQ_JITTER = 0.12        # per-window (subject) step-frequency spread, log-normal sigma
_AMP_JITTER = 0.2          # per-window (subject) amplitude spread, log-normal sigma
_STEP_JITTER = 0.15        # step-to-step amplitude variation
_SHAPE_JITTER = 0.6        # step-to-step variation of the harmonics' phase (radians)
_NOISE = (0.04, 0.12)      # range of the sensor noise's standard deviation (g)


def _check(arrays, where):
    """Shapes of the four datasets: X (N, 150, 3), Y (N, 6) one-hot, matching N."""
    for x, y in (("trX", "trY"), ("tstX", "tstY")):
        X, Y = arrays[x], arrays[y]
        if X.ndim != 3 or X.shape[1:] != (STEPS, AXES):
            raise ValueError(f"{where}: dataset '{x}' has shape {X.shape}, expected (N, {STEPS}, {AXES})")
        if Y.ndim != 2 or Y.shape[1] != len(ACTIVITIES):
            raise ValueError(f"{where}: dataset '{y}' has shape {Y.shape}, expected (N, {len(ACTIVITIES)}) "
                             f"one-hot labels ({', '.join(ACTIVITIES)})")
        if len(X) != len(Y):
            raise ValueError(f"{where}: '{x}' has {len(X)} windows but '{y}' has {len(Y)} labels")
        if Y.size and not (np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1)):
            raise ValueError(f"{where}: dataset '{y}' is not one-hot (each row must hold a single 1)")
        if X.size and not np.all(np.isfinite(X)):
            raise ValueError(f"{where}: dataset '{x}' holds NaN or infinite values")
    return arrays


def read_activity(path):
    """The datasets ``trX, trY, tstX, tstY`` of an HDF5 file as float64 arrays (a tuple)."""
    with h5py.File(path, "r") as fh:
        missing = [k for k in _KEYS if k not in fh]
        if missing:
            raise KeyError(f"{path} has no dataset(s) {missing} (found {sorted(fh)}); expected "
                           f"{', '.join(_KEYS)}")
        arrays = {k: np.asarray(fh[k][()], dtype=np.float64) for k in _KEYS}
    _check(arrays, str(path))
    return tuple(arrays[k] for k in _KEYS)


def _smooth_noise(rng, n, steps, scale, width):
    """(n, steps) slowly varying noise: white noise smoothed by a Hann window of 2 * width + 1
    steps, scaled to the standard deviation ``scale``."""
    kernel = np.hanning(2 * width + 3)[1:-1]
    kernel /= np.sqrt(np.sum(kernel ** 2))
    white = rng.normal(size=(n, steps + 2 * width))
    return scale * np.stack([np.convolve(w, kernel, mode="valid") for w in white])


def _windows(labels, rng):
    """float32 (n, 150, 3) windows for the integer labels (see the module docstring)."""
    n = len(labels)
    names = [ACTIVITIES[k] for k in labels]
    gait = np.array([name in _GAIT for name in names])
    deg = np.pi / 180.0

    # posture: pitch (y-z plane) and roll (y-x plane) of the thigh, per window, slowly drifting
    base_pitch = np.array([_GAIT[a]["pitch"] if a in _GAIT else _POSTURE_PITCH[a] for a in names])
    pitch = (base_pitch + rng.normal(0.0, 10.0, n))[:, None] + _smooth_noise(rng, n, STEPS, 2.0, 10)
    roll = rng.normal(0.0, 10.0, n)[:, None] + _smooth_noise(rng, n, STEPS, 2.0, 10)

    # gait: step phase with a per-subject frequency and a wandering step timing
    def param(key, i=None):                    # (n, 1) column of a _GAIT entry, 0 at rest
        value = [(_GAIT[a][key] if i is None else _GAIT[a][key][i]) if a in _GAIT else 0.0
                 for a in names]
        return np.array(value, dtype=np.float64)[:, None]

    freq = param("freq") * np.exp(rng.normal(0.0, _FREQ_JITTER, (n, 1)))
    rate = freq * (1.0 + _smooth_noise(rng, n, STEPS, 0.06, 6))
    phase = rng.uniform(0, 2 * np.pi, n)[:, None] + 2 * np.pi * np.cumsum(rate, axis=1) / RATE_HZ
    scale = np.exp(rng.normal(0.0, _AMP_JITTER, n))[:, None]
    envelope = scale * (1.0 + _smooth_noise(rng, n, STEPS, _STEP_JITTER, 4))      # step-to-step amplitude
    h2a, h2p, h3a, h3p = param("h2", 0), param("h2", 1), param("h3", 0), param("h3", 1)
    shape_jitter = _smooth_noise(rng, n, STEPS, _SHAPE_JITTER, 5)                  # step-to-step shape
    vertical = (np.cos(phase) + h2a * np.cos(2 * phase + h2p + shape_jitter)
                + h3a * np.cos(3 * phase + h3p + shape_jitter))
    vertical *= param("amp") * envelope
    stride = 0.5 * phase + rng.choice([0.0, np.pi], n)[:, None]          # which leg holds the phone
    swing = param("swing") * scale * np.sin(stride)
    pitch = pitch + swing
    lateral = 0.25 * param("amp") * envelope * np.sin(stride + 0.5)
    forward = 0.15 * param("amp") * envelope * np.sin(phase + 1.0)

    # standing and sitting: a faint sway instead of steps
    sway = np.where(gait[:, None], 0.0, 1.0) * _smooth_noise(rng, n, STEPS, 0.015, 8)

    g_x = np.sin(roll * deg)
    g_y = np.cos(roll * deg) * np.cos(pitch * deg)
    g_z = np.cos(roll * deg) * np.sin(pitch * deg)
    X = np.stack([g_x + lateral + sway, g_y + vertical + sway, g_z + forward + sway], axis=2)
    X += rng.normal(0.0, 0.05, (n, 1, AXES))                              # calibration offset
    X += rng.uniform(*_NOISE, (n, 1, 1)) * rng.normal(size=(n, STEPS, AXES))
    return X.astype(np.float32)


def make_standin(n_train=N_TRAIN, n_test=N_TEST, seed=SEED):
    """The stand-in ``(trX, trY, tstX, tstY)``: float32 windows (n, 150, 3) in g, float32
    one-hot labels (n, 6), classes balanced (n a multiple of 6 keeps them exact)."""
    rng = np.random.default_rng(seed)
    out = []
    for n in (n_train, n_test):
        labels = np.arange(n) % len(ACTIVITIES)
        rng.shuffle(labels)
        out += [_windows(labels, rng), np.eye(len(ACTIVITIES), dtype=np.float32)[labels]]
    return tuple(out)


def build_standin(path=STANDIN_FILE, n_train=N_TRAIN, n_test=N_TEST, seed=SEED, verbose=True):
    """Write the stand-in HDF5 file (datasets ``trX, trY, tstX, tstY``) atomically; returns its
    path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = dict(zip(_KEYS, make_standin(n_train, n_test, seed)))
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".h5")
    os.close(fd)
    try:
        with h5py.File(tmp, "w", track_order=False) as fh:
            for key in _KEYS:
                fh.create_dataset(key, data=arrays[key], compression="gzip", compression_opts=6,
                                  shuffle=True, track_times=False)
            fh.attrs["standin_version"] = _STANDIN_VERSION
            fh.attrs["seed"] = seed
            fh.attrs["units"] = "g (standard gravity), 20 Hz"
            fh.attrs["classes"] = ",".join(ACTIVITIES)
            fh.attrs["source"] = "synthetic (data/human_activity.py, make_standin)"
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    if verbose:
        print(f"[human_activity] built the stand-in {path} ({n_train} training, {n_test} test windows)")
    return path


def _standin_is_current(path):
    try:
        with h5py.File(path, "r") as fh:
            return (fh.attrs.get("standin_version") == _STANDIN_VERSION
                    and all(k in fh for k in _KEYS) and fh["trX"].shape[0] > 0)
    except (OSError, KeyError):
        return False


def find_activity_file(verbose=True):
    """(path, kind, how): the file in use, kind 'real' or 'standin' (the stand-in is built if
    needed; where its folder is read-only, the windows are made in memory and path is None)."""
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
        print(f"[human_activity] no real data at {REAL_FILE}: building the stand-in "
              f"{STANDIN_FILE} (once, a few seconds)")
    try:
        build_standin(STANDIN_FILE, verbose=verbose)
        return STANDIN_FILE, "standin", f"just built; no real data at {REAL_FILE}"
    except OSError:
        return None, "standin", ("made in memory: the data folder is read-only; "
                                 "`python -m data.human_activity build` builds it in the course")


def load_activity(verbose=True):
    """Return ``(trX, trY, tstX, tstY, kind)``: float64 windows (N, 150, 3), float64 one-hot
    labels (N, 6) in the order of :data:`ACTIVITIES`, and 'real' or 'standin'.

    Prints one line saying which data are used (unless ``verbose=False``).
    """
    path, kind, how = find_activity_file(verbose)
    if path is not None:
        trX, trY, tstX, tstY = read_activity(path)
    else:
        trX, trY, tstX, tstY = (a.astype(np.float64) for a in make_standin())
    if verbose:
        shapes = f"train {trX.shape}, test {tstX.shape}"
        if kind == "real":
            print(f"[human_activity] using the REAL activity windows {path} ({how}): {shapes}")
        else:
            print(f"[human_activity] using the STAND-IN activity windows, synthetic accelerometer "
                  f"signals ({how}): {shapes}; put assign3_data3.h5 at {REAL_FILE} to use the "
                  "real data")
    return trX, trY, tstX, tstY, kind


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build"])
    parser.parse_args(argv)
    if REAL_FILE.is_file() or os.environ.get(ENV_VAR):
        path, kind, how = find_activity_file()
        print(f"[human_activity] real data present ({path}); stand-in not needed")
    elif _standin_is_current(STANDIN_FILE):
        print(f"[human_activity] stand-in up to date: {STANDIN_FILE}")
    else:
        build_standin(STANDIN_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
