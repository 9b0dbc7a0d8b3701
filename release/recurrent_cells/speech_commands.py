"""Speech Commands (``one``, ``two``, ``three``): real loader, MFCC cache, offline stand-in.

This file is self-contained: the course keeps it in ``data/`` and ships a copy beside the
notebook of the recurrent-models assignment (``import speech_commands``).

Where the data live (the *data folder*)
---------------------------------------
1. the folder named by the environment variable ``COURSE_DATA_DIR`` when it is set (the
   course's ``data/`` folder: autograde uses its prebuilt stand-in and feature caches);
2. else, when this file is the course's own ``data/speech_commands.py`` (imported as
   ``data.speech_commands``, e.g. ``python -m data.speech_commands build``), the folder it
   lives in;
3. else ``data/`` in the current working directory: for a student, beside the notebook.

Real data
---------
The recurrent-models assignment uses three words of Google Speech Commands v0.02
(Warden, 2018, arXiv:1804.03209).  To use the real recordings, put the original
tree (at least these entries) into ``<data folder>/speech_commands/real/`` (a student:
``data/speech_commands/real/`` beside the notebook)::

    speech_commands/real/one/*.wav
    speech_commands/real/two/*.wav
    speech_commands/real/three/*.wav
    speech_commands/real/validation_list.txt   # lines like "one/0a7c2a8d_nohash_0.wav"
    speech_commands/real/testing_list.txt

or point the environment variable ``SPEECH_COMMANDS_ROOT`` at such a folder.
Files listed in ``validation_list.txt`` form the ``'valid'`` split, files listed
in ``testing_list.txt`` the ``'test'`` split, and every other file of the three
class folders the ``'train'`` split.

Stand-in
--------
Without the real data, :func:`find_dataset_root` builds a synthetic stand-in in
``<data folder>/speech_commands/standin/`` on first use (a few seconds, with a printed
note) with exactly the same layout and file format (16-bit PCM mono WAV, 16 kHz, 1 s);
see :func:`build_standin` for how it is made.

Features
--------
Each clip is read as float32 in [-1, 1], zero-padded or truncated to 16000
samples, and turned into 20 MFCCs with
``librosa.feature.mfcc(y=..., sr=16000, hop_length=512, n_fft=2048)``, transposed
to a ``(32, 20)`` float32 sequence (32 frames of 32 ms).  The features of a split
are computed once and cached in an HDF5 file under ``<data folder>/cache/``; the cache is
keyed on the split and the list of files (names relative to the dataset folder, sizes and
modification times), not on the folder's absolute path (the course's data folder is
seen at another path inside the grading sandbox), so a changed dataset is recomputed
automatically.  Where the cache folder is read-only, features are computed in memory.

Command line: ``python -m data.speech_commands build`` (or ``python speech_commands.py
build`` beside a notebook) builds the stand-in (when no real data is present) and
precomputes the caches of the three splits.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

__all__ = [
    "CLASSES", "SPLITS", "SAMPLE_RATE", "CLIP_SAMPLES", "N_FFT", "HOP_LENGTH",
    "N_MFCC", "N_FRAMES", "DATA_DIR", "REAL_ROOT", "STANDIN_ROOT", "CACHE_DIR",
    "ENV_VAR", "DATA_DIR_ENV_VAR", "STANDIN_MARKER", "data_dir", "find_dataset_root", "build_standin",
    "SpeechCommandsDataset", "compute_mfcc", "load_wav",
]

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------
CLASSES = ("one", "two", "three")
SPLITS = ("train", "valid", "test")
SAMPLE_RATE = 16000
CLIP_SAMPLES = 16000          # 1 s
N_FFT = 2048
HOP_LENGTH = 512
N_MFCC = 20                   # librosa's default
N_FRAMES = 1 + CLIP_SAMPLES // HOP_LENGTH   # 32 (librosa centres the frames)

ENV_VAR = "SPEECH_COMMANDS_ROOT"
DATA_DIR_ENV_VAR = "COURSE_DATA_DIR"


def data_dir() -> Path:
    """The data folder: ``$COURSE_DATA_DIR``; else this file's folder when it is the course's
    ``data`` package; else ``./data`` (beside the notebook)."""
    env = os.environ.get(DATA_DIR_ENV_VAR)
    if env:
        return Path(os.path.abspath(os.path.expanduser(env)))
    if (__package__ or "").rpartition(".")[2] == "data":
        return Path(__file__).resolve().parent
    return Path(os.path.abspath("data"))


DATA_DIR = data_dir()
REAL_ROOT = DATA_DIR / "speech_commands" / "real"
STANDIN_ROOT = DATA_DIR / "speech_commands" / "standin"
CACHE_DIR = DATA_DIR / "cache"
STANDIN_MARKER = "STANDIN_README.txt"

VALID_LIST = "validation_list.txt"
TEST_LIST = "testing_list.txt"

# Bump when the feature computation changes (invalidates every cache file).
_FEATURE_VERSION = 1
# Bump when the synthesiser changes (an older stand-in is then rebuilt).
_STANDIN_VERSION = 1
_DEFAULT_N_PER_CLASS = 250


# --------------------------------------------------------------------------
# Locating the data
# --------------------------------------------------------------------------
def _has_layout(root) -> bool:
    root = Path(root)
    return (all((root / c).is_dir() for c in CLASSES)
            and (root / VALID_LIST).is_file() and (root / TEST_LIST).is_file())


def _standin_is_current(root) -> bool:
    marker = Path(root) / STANDIN_MARKER
    if not (_has_layout(root) and marker.is_file()):
        return False
    try:
        params = json.loads(marker.read_text().splitlines()[-1])
    except (ValueError, IndexError, OSError):
        return False
    return params.get("version") == _STANDIN_VERSION


def find_dataset_root(verbose: bool = True):
    """Return ``(root, kind)``: the dataset folder in use and ``'real'`` or ``'standin'``.

    Order: the folder named by the environment variable ``SPEECH_COMMANDS_ROOT``
    (must have the layout; it counts as a stand-in only if it holds the stand-in's
    marker file), then :data:`REAL_ROOT` when it has the three class folders and
    both list files, else :data:`STANDIN_ROOT` (built first when missing or out of
    date).  Prints one line saying which one is used (unless ``verbose=False``).
    """
    env = os.environ.get(ENV_VAR)
    if env:
        root = Path(env).expanduser().resolve()
        if not _has_layout(root):
            raise FileNotFoundError(
                f"{ENV_VAR}={env} does not hold {'/, '.join(CLASSES)}/, "
                f"{VALID_LIST} and {TEST_LIST}")
        kind = "standin" if (root / STANDIN_MARKER).is_file() else "real"
        how = f"from ${ENV_VAR}"
    elif _has_layout(REAL_ROOT):
        root, kind, how = REAL_ROOT, "real", "found"
    else:
        root, kind = STANDIN_ROOT, "standin"
        if _standin_is_current(root):
            how = "no real data in " + str(REAL_ROOT)
        else:
            if verbose:
                print(f"[speech_commands] no real data in {REAL_ROOT}: building the synthetic "
                      f"stand-in in {root} (once, a few seconds)")
            try:
                build_standin(root, verbose=verbose)
            except OSError as err:
                raise OSError(f"cannot build the Speech Commands stand-in in {root} ({err}); "
                              f"set {DATA_DIR_ENV_VAR} to a writable folder or run "
                              "`python -m data.speech_commands build` in the course") from err
            how = "just built; no real data in " + str(REAL_ROOT)
    if verbose:
        if kind == "real":
            print(f"[speech_commands] using the REAL Speech Commands data at {root} ({how})")
        else:
            print(f"[speech_commands] using the synthetic STAND-IN at {root} ({how}); "
                  f"put the real data in {REAL_ROOT} to use it instead")
    return str(root), kind


# --------------------------------------------------------------------------
# Audio and features
# --------------------------------------------------------------------------
def load_wav(path) -> np.ndarray:
    """Read a WAV file as float32 in [-1, 1], zero-padded/truncated to 16000 samples."""
    import soundfile as sf

    audio, sr = sf.read(os.fspath(path), dtype="float32", always_2d=False)
    if sr != SAMPLE_RATE:
        raise ValueError(f"{path}: sample rate {sr}, expected {SAMPLE_RATE}")
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    out = np.zeros(CLIP_SAMPLES, dtype=np.float32)
    n = min(CLIP_SAMPLES, audio.shape[0])
    out[:n] = audio[:n]
    return out


def compute_mfcc(audio: np.ndarray) -> np.ndarray:
    """MFCCs of one clip ``(16000,)`` -> ``(32, 20)`` or of a batch ``(B, 16000)`` -> ``(B, 32, 20)``."""
    import librosa

    m = librosa.feature.mfcc(y=np.asarray(audio, dtype=np.float32), sr=SAMPLE_RATE,
                             hop_length=HOP_LENGTH, n_fft=N_FFT, n_mfcc=N_MFCC)
    return np.ascontiguousarray(np.swapaxes(m, -1, -2), dtype=np.float32)


def _read_list(path) -> dict:
    """``{class: set(file names)}`` from validation_list.txt / testing_list.txt."""
    out = {c: set() for c in CLASSES}
    with open(path, "r") as fp:
        for line in fp:
            parts = line.strip().split("/")
            if len(parts) == 2 and parts[0] in out:
                out[parts[0]].add(parts[1])
    return out


# --------------------------------------------------------------------------
# Dataset
# --------------------------------------------------------------------------
class SpeechCommandsDataset(Dataset):
    """Three words of Speech Commands as MFCC sequences.

    Args:
        root_dir: folder with ``one/``, ``two/``, ``three/``, ``validation_list.txt``
            and ``testing_list.txt`` (the real data or the stand-in).
        split: ``'train'``, ``'valid'`` or ``'test'``.
        cache_dir: folder for the HDF5 feature cache (``None``: no cache).
        transform: optional callable applied to each ``(32, 20)`` tensor in
            ``__getitem__`` (e.g. standardisation with training-set statistics).

    ``dataset[i]`` is ``(features, label)``: a ``(32, 20)`` float32 tensor
    (time steps x MFCC coefficients) and an int in ``0..2`` (index in
    :data:`CLASSES`).
    """

    def __init__(self, root_dir, split, cache_dir=CACHE_DIR, transform=None):
        if split not in SPLITS:
            raise ValueError(f"Invalid split name {split!r}; use one of {SPLITS}.")
        self.root_dir = os.fspath(root_dir)
        self.split = split
        self.transform = transform
        self.classes = list(CLASSES)
        self.number_of_classes = len(CLASSES)
        self.valid_filenames = _read_list(os.path.join(self.root_dir, VALID_LIST))
        self.test_filenames = _read_list(os.path.join(self.root_dir, TEST_LIST))

        self.filepath_list, self.label_list = [], []
        for label, c in enumerate(CLASSES):
            for name in sorted(os.listdir(os.path.join(self.root_dir, c))):
                if not name.lower().endswith(".wav"):
                    continue
                in_valid = name in self.valid_filenames[c]
                in_test = name in self.test_filenames[c]
                if split == "train":
                    keep = not in_valid and not in_test
                elif split == "valid":
                    keep = in_valid
                else:
                    keep = in_test
                if keep:
                    self.filepath_list.append(os.path.join(self.root_dir, c, name))
                    self.label_list.append(label)
        self.number_of_samples = len(self.filepath_list)
        self.labels = np.asarray(self.label_list, dtype=np.int64)

        self.cache_path = None
        self.loaded_from_cache = False
        if cache_dir is None:
            self.features = self._compute_features()
        else:
            self.features = self._cached_features(Path(cache_dir))

    # -- torch Dataset API -------------------------------------------------
    def __len__(self):
        return self.number_of_samples

    def __getitem__(self, idx):
        x = torch.from_numpy(self.features[idx])
        if self.transform is not None:
            x = self.transform(x)
        return x, int(self.label_list[idx])

    def get_classes(self):
        return list(CLASSES)

    # -- features and cache --------------------------------------------------
    def _cache_key(self) -> str:
        files = []
        for p in self.filepath_list:
            st = os.stat(p)
            files.append([os.path.relpath(p, self.root_dir), st.st_size, st.st_mtime_ns])
        # not the root's absolute path: the same folder is seen at another path in the sandbox
        desc = {
            "feature_version": _FEATURE_VERSION, "split": self.split, "classes": CLASSES, "sr": SAMPLE_RATE,
            "clip": CLIP_SAMPLES, "n_fft": N_FFT, "hop": HOP_LENGTH, "n_mfcc": N_MFCC,
            "files": files, "labels": self.label_list,
        }
        return hashlib.sha256(json.dumps(desc).encode()).hexdigest()

    def _compute_features(self) -> np.ndarray:
        from tqdm.auto import tqdm

        feats = np.zeros((self.number_of_samples, N_FRAMES, N_MFCC), dtype=np.float32)
        batch = 64
        with tqdm(total=self.number_of_samples, unit="clip",
                  desc=f"MFCC {self.split}", leave=False) as bar:
            for start in range(0, self.number_of_samples, batch):
                paths = self.filepath_list[start:start + batch]
                audio = np.stack([load_wav(p) for p in paths])
                feats[start:start + len(paths)] = compute_mfcc(audio)
                bar.update(len(paths))
        return feats

    def _cached_features(self, cache_dir: Path) -> np.ndarray:
        import h5py

        key = self._cache_key()
        kind = "standin" if os.path.isfile(os.path.join(self.root_dir, STANDIN_MARKER)) else "real"
        prefix = f"speech_commands_{self.split}_{kind}_"
        path = cache_dir / f"{prefix}{key[:16]}.h5"
        self.cache_path = str(path)
        if path.is_file():
            try:
                with h5py.File(path, "r") as f:
                    if f.attrs.get("key") == key:
                        feats = np.asarray(f["features"][...], dtype=np.float32)
                        if feats.shape == (self.number_of_samples, N_FRAMES, N_MFCC):
                            self.loaded_from_cache = True
                            return feats
            except (OSError, KeyError, ValueError):
                pass  # unreadable or partial cache: recompute
        feats = self._compute_features()
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=cache_dir)
        except OSError:            # read-only data folder (e.g. the grading sandbox): no cache
            self.cache_path = None
            return feats
        os.close(fd)
        try:
            with h5py.File(tmp, "w") as f:
                f.create_dataset("features", data=feats)
                f.create_dataset("labels", data=self.labels)
                f.create_dataset("files", data=np.array(
                    [os.path.relpath(p, self.root_dir).encode() for p in self.filepath_list],
                    dtype=object), dtype=h5py.string_dtype())
                f.attrs["key"] = key
                f.attrs["root"] = os.path.abspath(self.root_dir)
                f.attrs["split"] = self.split
                f.attrs["classes"] = ",".join(CLASSES)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        for old in cache_dir.glob(prefix + "*.h5"):   # stale caches of this root/split
            if old != path:
                try:
                    old.unlink()
                except OSError:
                    pass
        return feats


# --------------------------------------------------------------------------
# Stand-in synthesiser
# --------------------------------------------------------------------------
# Keyframes of each word on a 0..1 time axis:
# (t, F1, F2, F3, voicing, aspiration, frication, nasality)
# Formants in Hz for an average adult (scaled per speaker), amplitudes 0..1.
_WORDS = {
    # /w ʌ n/: lip-rounded /w/ (low F1, F2) glides up into /ʌ/, then the nasal /n/
    # (F1 drops, higher formants damped and broad, energy falls).
    "one": dict(dur=0.42, band=None, keys=[
        (0.00, 300, 620, 2250, 0.0, 0.0, 0.0, 0.0),
        (0.06, 310, 650, 2250, 0.7, 0.0, 0.0, 0.0),
        (0.22, 470, 880, 2350, 1.0, 0.0, 0.0, 0.0),
        (0.42, 640, 1180, 2450, 1.0, 0.0, 0.0, 0.0),
        (0.64, 620, 1250, 2500, 0.95, 0.0, 0.0, 0.0),
        (0.76, 320, 1450, 2550, 0.55, 0.0, 0.0, 1.0),
        (0.93, 260, 1500, 2550, 0.40, 0.0, 0.0, 1.0),
        (1.00, 260, 1500, 2550, 0.0, 0.0, 0.0, 1.0),
    ]),
    # /t uː/: closure, a short broadband release burst, aspiration noise through
    # the vocal tract, then a long rounded /u/ with low F2.
    "two": dict(dur=0.42, band=(2500.0, 7000.0), keys=[
        (0.00, 400, 1600, 2600, 0.0, 0.0, 0.0, 0.0),
        (0.035, 400, 1600, 2600, 0.0, 0.0, 0.0, 0.0),
        (0.045, 400, 1600, 2600, 0.0, 0.6, 1.3, 0.0),
        (0.08, 380, 1400, 2500, 0.0, 0.5, 0.2, 0.0),
        (0.17, 340, 1150, 2400, 0.0, 0.35, 0.0, 0.0),
        (0.20, 330, 1050, 2350, 0.8, 0.05, 0.0, 0.0),
        (0.38, 310, 880, 2300, 1.0, 0.0, 0.0, 0.0),
        (0.85, 300, 820, 2250, 0.9, 0.0, 0.0, 0.0),
        (1.00, 300, 820, 2250, 0.0, 0.0, 0.0, 0.0),
    ]),
    # /θ r iː/: weak broadband dental frication, then /r/ with its very low F3,
    # gliding into /i/ with high F2 and F3.
    "three": dict(dur=0.46, band=(1800.0, 7500.0), keys=[
        (0.00, 350, 1500, 2500, 0.0, 0.0, 0.0, 0.0),
        (0.03, 350, 1500, 2500, 0.0, 0.05, 0.45, 0.0),
        (0.20, 350, 1300, 2000, 0.0, 0.05, 0.40, 0.0),
        (0.24, 360, 1100, 1650, 0.7, 0.0, 0.05, 0.0),
        (0.38, 340, 1250, 1700, 1.0, 0.0, 0.0, 0.0),
        (0.60, 290, 2050, 2750, 1.0, 0.0, 0.0, 0.0),
        (0.78, 270, 2300, 3000, 1.0, 0.0, 0.0, 0.0),
        (1.00, 270, 2300, 3000, 0.0, 0.0, 0.0, 0.0),
    ]),
}
_F4 = 3500.0
_ONSET_RANGE = (0.05, 0.35)   # word start (s)
_BABBLE_PROB = 0.5            # share of clips with a distractor after the word
_SNR_RANGE = (-5.0, 20.0)     # background noise, dB re. the word
_BANDWIDTHS = np.array([80.0, 100.0, 150.0, 250.0])
_NASAL_BW_GAIN = np.array([0.8, 4.0, 4.0, 3.0])


def _split_of(speaker: str) -> str:
    """Split of a speaker, from a hash of its id (like the real dataset)."""
    bucket = int(hashlib.sha1(speaker.encode()).hexdigest(), 16) % 100
    return "valid" if bucket < 10 else "test" if bucket < 20 else "train"


def _make_speakers(n_speakers: int, rng: np.random.Generator):
    """Speaker ids (8 hex digits) chosen so that about 80/10/10 % fall in train/valid/test."""
    n_valid = max(1, round(0.1 * n_speakers))
    n_test = max(1, round(0.1 * n_speakers))
    quota = {"train": n_speakers - n_valid - n_test, "valid": n_valid, "test": n_test}
    speakers, seen = [], set()
    while len(speakers) < n_speakers:
        sid = "%08x" % int(rng.integers(0, 2 ** 32))
        split = _split_of(sid)
        if sid in seen or quota[split] == 0:
            continue
        seen.add(sid)
        quota[split] -= 1
        speakers.append(sid)
    return speakers


def _speaker_params(rng: np.random.Generator) -> dict:
    f0 = float(np.exp(rng.uniform(np.log(90.0), np.log(250.0))))
    # vocal-tract scale loosely follows pitch (short tracts, high voices), within +-15 %
    z = (np.log(f0) - np.log(150.0)) / np.log(250.0 / 90.0)
    scale = float(np.clip(1.0 + 0.25 * z + rng.normal(0.0, 0.05), 0.85, 1.15))
    return dict(
        f0=f0, scale=scale,
        rate=float(rng.uniform(0.85, 1.2)),          # speaking rate
        jitter=float(rng.uniform(0.005, 0.02)),      # pitch perturbation
        breath=float(rng.uniform(0.01, 0.12)),       # aspiration mixed into voicing
        tilt=float(rng.uniform(0.0, 0.6)),           # extra low-pass of the source
        formant_bias=rng.normal(0.0, 0.04, size=3),  # speaker's own vowel colouring
    )


def _babble_keys(rng: np.random.Generator):
    """Keyframes of a short, class-independent speech-like distractor (random vowels)."""
    n = int(rng.integers(2, 4))
    t = np.sort(np.concatenate([[0.0, 1.0], rng.uniform(0.1, 0.9, n - 1)]))
    keys = []
    for i, ti in enumerate(t):
        f1 = rng.uniform(280, 700)
        f2 = rng.uniform(800, 2300)
        f3 = rng.uniform(max(f2 + 300, 1700), 3100)
        v = 0.0 if i in (0, len(t) - 1) else rng.uniform(0.5, 1.0)
        keys.append((ti, f1, f2, f3, v, rng.uniform(0, 0.1), 0.0, 0.0))
    return keys


def _plan_clip(word: str, spk: dict, rng: np.random.Generator) -> dict:
    """Draw everything that varies per utterance; return sample-rate control tracks."""
    sr, n = SAMPLE_RATE, CLIP_SAMPLES
    spec = _WORDS[word]
    dur = spec["dur"] / spk["rate"] * rng.uniform(0.85, 1.15)
    onset = rng.uniform(*_ONSET_RANGE)
    keys = np.array(spec["keys"], dtype=np.float64)
    ftarget = 1.0 + spk["formant_bias"] + rng.normal(0.0, 0.035, size=3)
    keys[:, 1:4] *= ftarget
    # segment timing jitter: warp the word's internal time axis a little
    warp = np.clip(keys[:, 0] + rng.normal(0, 0.012, len(keys)) * (keys[:, 0] * (1 - keys[:, 0]) > 0), 0, 1)
    keys[:, 0] = np.maximum.accumulate(warp)
    times = onset + keys[:, 0] * dur
    tracks = [keys]
    abs_times = [times]

    end = onset + dur
    babble_gain = 0.0
    if rng.uniform() < _BABBLE_PROB:                     # distractor after the word
        b_start = end + rng.uniform(0.03, 0.15)
        b_len = rng.uniform(0.12, 0.32)
        b_len = min(b_len, 0.99 - b_start)
        if b_len > 0.08:
            bkeys = np.array(_babble_keys(rng))
            babble_gain = float(rng.uniform(0.3, 0.9))
            bkeys[:, 4:6] *= babble_gain
            tracks.append(bkeys)
            abs_times.append(b_start + bkeys[:, 0] * b_len)
    keys = np.concatenate(tracks)
    times = np.concatenate(abs_times)
    times = np.maximum.accumulate(times)

    t = np.arange(n) / sr
    cols = [np.interp(t, times, keys[:, j]) for j in range(1, 8)]
    f1, f2, f3, voice, asp, fric, nasal = cols
    formants = np.stack([f1, f2, f3, np.full(n, _F4)], axis=1) * spk["scale"]
    bw = _BANDWIDTHS * spk["scale"] * (1.0 + nasal[:, None] * _NASAL_BW_GAIN)
    # pitch: speaker f0, declination over the clip, slow drift, per-sample jitter
    f0 = spk["f0"] * rng.uniform(0.92, 1.08) * (1.08 - 0.16 * np.clip((t - onset) / dur, 0, 1.5))
    drift = np.interp(t, np.linspace(0, 1, 9), rng.normal(0, 0.03, 9))
    f0 = f0 * (1.0 + drift + spk["jitter"] * rng.standard_normal(n))
    return dict(formants=formants, bw=bw, f0=f0, voice=voice, asp=asp, fric=fric,
                onset=onset, end=end, band=spec["band"])


def _glottal_source(f0: np.ndarray) -> np.ndarray:
    """Differentiated Rosenberg glottal pulses following the pitch track ``f0`` (Hz)."""
    phase = np.cumsum(f0 / SAMPLE_RATE) % 1.0
    tp, tn = 0.40, 0.16
    g = np.where(phase < tp, 0.5 * (1 - np.cos(np.pi * phase / tp)),
                 np.where(phase < tp + tn, np.cos(0.5 * np.pi * (phase - tp) / tn), 0.0))
    return np.diff(g, prepend=0.0)


def _cascade(excitation: np.ndarray, formants: np.ndarray, bw: np.ndarray) -> np.ndarray:
    """Cascade of time-varying 2-pole resonators, vectorised over a batch.

    excitation ``(n, B)``, formants and bw ``(n, B, K)`` in Hz; each resonator has
    unit gain at 0 Hz, so the cascade gives vowel-like relative formant levels.
    """
    n, batch, k_res = formants.shape
    r = np.exp(-np.pi * bw.transpose(0, 2, 1) / SAMPLE_RATE)          # (n, K, B)
    a1 = 2.0 * r * np.cos(2.0 * np.pi * formants.transpose(0, 2, 1) / SAMPLE_RATE)
    a2 = -r * r
    del r
    b0 = 1.0 - a1 - a2
    y1 = np.zeros((k_res, batch))
    y2 = np.zeros((k_res, batch))
    out = np.empty((n, batch))
    for i in range(n):
        x = excitation[i]
        A1, A2, B0 = a1[i], a2[i], b0[i]
        for k in range(k_res):
            y = B0[k] * x + A1[k] * y1[k] + A2[k] * y2[k]
            y2[k] = y1[k]
            y1[k] = y
            x = y
        out[i] = x
    return out


def _synthesise_batch(words, speakers, rngs) -> np.ndarray:
    """Synthesise one clip per (word, speaker params, rng); returns float ``(B, 16000)``."""
    from scipy import signal

    n = CLIP_SAMPLES
    plans = [_plan_clip(w, s, r) for w, s, r in zip(words, speakers, rngs)]
    exc = np.empty((n, len(plans)))
    fr = np.empty((n, len(plans), 4))
    bw = np.empty((n, len(plans), 4))
    # (the per-clip tracks are moved into the batch arrays and dropped from the plans)
    for j, (p, s, r) in enumerate(zip(plans, speakers, rngs)):
        src = _glottal_source(p["f0"])
        if s["tilt"] > 0:
            src = signal.lfilter([1 - s["tilt"]], [1, -s["tilt"]], src)
        src = src / (np.std(src[p["voice"] > 0.3]) + 1e-9) if np.any(p["voice"] > 0.3) else src
        shimmer = 1.0 + 0.08 * np.interp(np.arange(n), np.arange(0, n, 80),
                                         r.standard_normal(len(range(0, n, 80))))
        noise = r.standard_normal(n)
        exc[:, j] = p["voice"] * shimmer * (src + s["breath"] * noise) + p["asp"] * 0.5 * noise
        fr[:, j] = p.pop("formants")
        bw[:, j] = p.pop("bw")
    speech = _cascade(exc, fr, bw)
    del fr, bw
    speech = signal.lfilter([1.0, -0.9], [1.0], speech, axis=0)   # lip radiation

    out = np.empty((len(plans), n))
    for j, (p, s, r) in enumerate(zip(plans, speakers, rngs)):
        y = speech[:, j]
        if p["band"] is not None:                      # frication / burst noise
            lo, hi = p["band"]
            sos = signal.butter(4, [lo * s["scale"], min(hi * s["scale"], 7800.0)],
                                btype="bandpass", fs=SAMPLE_RATE, output="sos")
            y = y + p["fric"] * signal.sosfilt(sos, r.standard_normal(n)) * 0.6 * np.std(
                y[(np.arange(n) / SAMPLE_RATE >= p["onset"]) & (np.arange(n) / SAMPLE_RATE < p["end"])])
        word = (np.arange(n) / SAMPLE_RATE >= p["onset"]) & (np.arange(n) / SAMPLE_RATE < p["end"])
        level = np.sqrt(np.mean(y[word] ** 2)) + 1e-12
        y = y / level
        # background: coloured noise at a random SNR (re. the word's RMS)
        snr_db = r.uniform(*_SNR_RANGE)
        c = r.uniform(0.0, 0.97)
        bg = signal.lfilter([1.0], [1.0, -c], r.standard_normal(n))
        bg = bg / (np.std(bg) + 1e-12) * 10 ** (-snr_db / 20)
        y = y + bg
        y = y / (np.max(np.abs(y)) + 1e-12) * r.uniform(0.1, 0.9)
        out[j] = y
    return out


def _marker_text(params: dict) -> str:
    return (
        "Synthetic stand-in for three words of Google Speech Commands v0.02\n"
        "(one, two, three), made by speech_commands.py:build_standin().\n"
        "Same layout and WAV format as the real data; not real speech.\n"
        "Put the real data into the folder real/ beside this one to use it instead.\n"
        + json.dumps(params, sort_keys=True) + "\n")


def build_standin(root=STANDIN_ROOT, n_per_class: int = _DEFAULT_N_PER_CLASS, seed: int = 0,
                  verbose: bool = True) -> str:
    """Build the synthetic stand-in dataset in ``root`` and return its path.

    The layout is that of Speech Commands v0.02: ``root/<word>/<speaker>_nohash_<k>.wav``
    (16-bit PCM mono, 16 kHz, 1 s) for the words ``one``, ``two``, ``three``, plus
    ``validation_list.txt`` and ``testing_list.txt``.  The result is byte-for-byte
    determined by ``n_per_class`` and ``seed``.

    How the words are made (a small source-filter / formant synthesiser):

    * Speakers: ``ceil(n_per_class / 2)`` speakers with random 8-hex-digit ids, so
      each says every word about twice (``_nohash_0``, ``_nohash_1``).  Each speaker
      has a pitch between 90 and 250 Hz, a vocal-tract length factor that scales
      all formants (0.85 to 1.15, loosely tied to pitch), a speaking rate, pitch
      jitter, breathiness, spectral tilt and a personal vowel colouring.
    * Source: differentiated Rosenberg glottal pulses following a pitch track
      (declination, slow drift, jitter) with shimmer, plus aspiration noise.
    * Filter: a cascade of four time-varying two-pole formant resonators whose
      frequencies follow keyframed trajectories of each word's phonetics:
      "one" /w ʌ n/ - low F1/F2 of /w/ rising into /ʌ/, then a nasal murmur (F1
      drops, higher formants broadened); "two" /t uː/ - closure, a broadband
      release burst and aspiration, then /u/ with a low F2; "three" /θ r iː/ -
      weak broadband frication, /r/ with a very low F3, gliding into /i/ with a
      high F2 and F3.  Formant targets and segment timing are jittered per
      utterance; frication and bursts are band-passed noise added in parallel.
    * Placement: the word starts early (0.05 to 0.35 s) with a random duration
      (rate-dependent, about 0.3 to 0.6 s).  In half of the clips a quieter,
      class-independent "babble" of random vowels follows the word, so the end of
      a clip is speech-like but carries no information about the label: a
      sequence model must remember the beginning.
    * Noise and level: coloured background noise over the whole clip at an SNR
      of -5 to 20 dB re. the word, then a random peak level of 0.1 to 0.9.
    * Splits: each speaker goes to validation (~10 %), test (~10 %) or train by
      a SHA-1 hash of its id, as in the real dataset, so no speaker spans splits.
    """
    from scipy.io import wavfile

    root = Path(root)
    if root.exists() and any(root.iterdir()) and not (root / STANDIN_MARKER).is_file():
        raise FileExistsError(f"{root} exists and is not a stand-in; refusing to overwrite it")
    t0 = time.time()
    n_per_class = int(n_per_class)
    if n_per_class < 1:
        raise ValueError("n_per_class must be positive")
    params = dict(version=_STANDIN_VERSION, n_per_class=n_per_class, seed=int(seed))
    ss = np.random.SeedSequence([int(seed), _STANDIN_VERSION])
    spk_seq, clip_seq = ss.spawn(2)
    n_speakers = max(6, -(-n_per_class // 2))
    speakers = _make_speakers(n_speakers, np.random.default_rng(spk_seq))
    spk_params = [_speaker_params(np.random.default_rng(s))
                  for s in spk_seq.spawn(n_speakers)]
    clip_seeds = clip_seq.spawn(len(CLASSES) * n_per_class)

    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=root.name + ".building-", dir=root.parent))
    try:
        lists = {"valid": [], "test": []}
        jobs = []
        for ci, word in enumerate(CLASSES):
            (tmp / word).mkdir()
            for i in range(n_per_class):
                s = i % n_speakers
                jobs.append((word, f"{speakers[s]}_nohash_{i // n_speakers}.wav", s,
                             np.random.default_rng(clip_seeds[ci * n_per_class + i])))
        batch = 64      # clips synthesised together (the resonator loop is vectorised)
        for b in range(0, len(jobs), batch):
            part = jobs[b:b + batch]
            audio = _synthesise_batch([w for w, _, _, _ in part],
                                      [spk_params[s] for _, _, s, _ in part],
                                      [r for _, _, _, r in part])
            for (word, name, s, _), y in zip(part, audio):
                pcm = np.clip(np.round(y * 32767.0), -32768, 32767).astype("<i2")
                wavfile.write(tmp / word / name, SAMPLE_RATE, pcm)
                split = _split_of(speakers[s])
                if split != "train":
                    lists[split].append(f"{word}/{name}")
        (tmp / VALID_LIST).write_text("".join(x + "\n" for x in sorted(lists["valid"])))
        (tmp / TEST_LIST).write_text("".join(x + "\n" for x in sorted(lists["test"])))
        (tmp / STANDIN_MARKER).write_text(_marker_text(params))
        if root.exists():
            shutil.rmtree(root)
        os.replace(tmp, root)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    if verbose:
        print(f"[speech_commands] built the stand-in in {root}: {len(CLASSES)} x {n_per_class} clips, "
              f"{len(lists['valid'])} valid / {len(lists['test'])} test, {time.time() - t0:.1f} s")
    return str(root)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------
def _main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m data.speech_commands",
                                 description="Prepare the Speech Commands data (stand-in and MFCC "
                                             f"caches) in the data folder {DATA_DIR}.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build the stand-in if needed and precompute the MFCC caches")
    b.add_argument("--force-standin", action="store_true",
                   help="rebuild the stand-in even if it is present")
    args = ap.parse_args(argv)
    if args.cmd == "build":
        if args.force_standin and not os.environ.get(ENV_VAR):
            build_standin(STANDIN_ROOT)
        root, kind = find_dataset_root()
        for split in SPLITS:
            t0 = time.time()
            ds = SpeechCommandsDataset(root, split)
            how = "read from cache" if ds.loaded_from_cache else "computed"
            counts = np.bincount(ds.labels, minlength=len(CLASSES)).tolist()
            print(f"[speech_commands] {split:5s}: {len(ds):5d} clips {dict(zip(CLASSES, counts))}, "
                  f"features {how} in {time.time() - t0:.1f} s -> {ds.cache_path}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
