"""Tests of data/speech_commands.py: stand-in build, split logic, MFCC cache, learnability."""

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from data import speech_commands as sc

N_PER_CLASS = 60


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    root = tmp_path_factory.mktemp("sc") / "standin"
    sc.build_standin(root, n_per_class=N_PER_CLASS, seed=0, verbose=False)
    return root


@pytest.fixture(scope="module")
def datasets(standin, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    return {s: sc.SpeechCommandsDataset(standin, s, cache_dir=cache) for s in sc.SPLITS}, cache


def _tree_digest(root):
    h = hashlib.sha256()
    for p in sorted(Path(root).rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_constants():
    assert sc.CLASSES == ("one", "two", "three")
    assert (sc.SAMPLE_RATE, sc.N_FFT, sc.HOP_LENGTH, sc.N_MFCC) == (16000, 2048, 512, 20)
    assert sc.CLIP_SAMPLES == 16000 and sc.N_FRAMES == 32
    assert sc.REAL_ROOT == sc.DATA_DIR / "speech_commands" / "real"
    assert sc.STANDIN_ROOT == sc.DATA_DIR / "speech_commands" / "standin"
    assert sc.CACHE_DIR == sc.DATA_DIR / "cache"


def test_standin_layout_and_format(standin):
    from scipy.io import wavfile

    for c in sc.CLASSES:
        files = sorted((standin / c).glob("*.wav"))
        assert len(files) == N_PER_CLASS
        for f in files[:5]:
            assert "_nohash_" in f.name
            sr, x = wavfile.read(f)
            assert sr == 16000 and x.dtype == np.int16 and x.ndim == 1
            assert 0 < x.shape[0] <= 16000
            assert np.abs(x).max() > 1000          # not silent
    for name in ("validation_list.txt", "testing_list.txt"):
        lines = (standin / name).read_text().split()
        assert lines, name
        for line in lines:
            c, f = line.split("/")
            assert c in sc.CLASSES and (standin / c / f).is_file()


def test_splits_by_speaker(standin):
    val = set((standin / "validation_list.txt").read_text().split())
    tst = set((standin / "testing_list.txt").read_text().split())
    assert not val & tst
    spk = lambda entries: {e.split("/")[1].split("_nohash_")[0] for e in entries}
    train = {f"{c}/{p.name}" for c in sc.CLASSES for p in (standin / c).glob("*.wav")} - val - tst
    assert not spk(val) & spk(tst) and not spk(train) & (spk(val) | spk(tst))
    n = len(sc.CLASSES) * N_PER_CLASS
    assert 0.05 * n <= len(val) <= 0.2 * n and 0.05 * n <= len(tst) <= 0.2 * n


def test_dataset_splits_disjoint_and_covering(standin, datasets):
    ds, _ = datasets
    files = {s: set(d.filepath_list) for s, d in ds.items()}
    assert not files["train"] & files["valid"]
    assert not files["train"] & files["test"]
    assert not files["valid"] & files["test"]
    everything = {str(p) for c in sc.CLASSES for p in (standin / c).glob("*.wav")}
    assert set(map(os.path.normpath, files["train"] | files["valid"] | files["test"])) == \
        set(map(os.path.normpath, everything))
    val = (standin / "validation_list.txt").read_text().split()
    assert len(ds["valid"]) == len(val)


def test_labels_and_features(datasets):
    ds, _ = datasets
    for split, d in ds.items():
        assert len(d) == len(d.label_list) == d.features.shape[0]
        assert set(d.label_list) == {0, 1, 2}, split
        for path, label in zip(d.filepath_list, d.label_list):
            assert Path(path).parent.name == sc.CLASSES[label]
        x, y = d[0]
        assert tuple(x.shape) == (32, 20) and x.dtype == torch.float32
        assert isinstance(y, int)
        assert np.isfinite(d.features).all()


def test_features_match_librosa(datasets):
    import librosa

    d = datasets[0]["valid"]
    audio = sc.load_wav(d.filepath_list[0])
    assert audio.dtype == np.float32 and audio.shape == (16000,) and np.abs(audio).max() <= 1
    ref = librosa.feature.mfcc(y=audio, sr=16000, hop_length=512, n_fft=2048).T
    np.testing.assert_allclose(d.features[0], ref, rtol=1e-4, atol=1e-3)


def test_dataloader_batches(datasets):
    d = datasets[0]["train"]
    x, y = next(iter(torch.utils.data.DataLoader(d, batch_size=8, shuffle=False)))
    assert x.shape == (8, 32, 20) and x.dtype == torch.float32 and y.dtype == torch.int64


def test_cache_written_and_reused(standin, datasets, monkeypatch):
    import librosa

    ds, cache = datasets
    for split, d in ds.items():
        assert d.cache_path is not None and Path(d.cache_path).is_file()
        assert Path(d.cache_path).parent == Path(cache)

    def boom(*args, **kwargs):
        raise AssertionError("librosa.feature.mfcc called although the cache is valid")

    monkeypatch.setattr(librosa.feature, "mfcc", boom)
    for split, d in ds.items():
        again = sc.SpeechCommandsDataset(standin, split, cache_dir=cache)
        assert again.loaded_from_cache
        np.testing.assert_array_equal(again.features, d.features)
        assert again.label_list == d.label_list


def test_cache_invalidated_by_changed_files(standin, tmp_path):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(standin, root)
    cache = tmp_path / "cache"
    first = sc.SpeechCommandsDataset(root, "test", cache_dir=cache)
    assert not first.loaded_from_cache
    victim = Path(first.filepath_list[0])
    victim.unlink()
    second = sc.SpeechCommandsDataset(root, "test", cache_dir=cache)
    assert not second.loaded_from_cache and len(second) == len(first) - 1
    assert len(list(cache.glob("*.h5"))) == 1        # the stale cache is removed


def test_bad_split(standin, tmp_path):
    with pytest.raises(ValueError):
        sc.SpeechCommandsDataset(standin, "validation", cache_dir=tmp_path)


def test_build_is_deterministic(tmp_path):
    a = sc.build_standin(tmp_path / "a", n_per_class=8, seed=3, verbose=False)
    b = sc.build_standin(tmp_path / "b", n_per_class=8, seed=3, verbose=False)
    c = sc.build_standin(tmp_path / "c", n_per_class=8, seed=4, verbose=False)
    assert _tree_digest(a) == _tree_digest(b)
    assert _tree_digest(a) != _tree_digest(c)


def test_build_refuses_foreign_folder(tmp_path):
    (tmp_path / "mine.txt").write_text("not a stand-in")
    with pytest.raises(FileExistsError):
        sc.build_standin(tmp_path, n_per_class=2, verbose=False)


def test_find_dataset_root_env(standin, monkeypatch, capsys):
    monkeypatch.setenv(sc.ENV_VAR, str(standin))
    root, kind = sc.find_dataset_root()
    assert Path(root) == standin.resolve() and kind == "standin"
    assert "STAND-IN" in capsys.readouterr().out
    monkeypatch.setenv(sc.ENV_VAR, str(standin / "one"))
    with pytest.raises(FileNotFoundError):
        sc.find_dataset_root()


def test_find_dataset_root_prefers_real(standin, tmp_path, monkeypatch, capsys):
    import shutil

    real = tmp_path / "real"
    shutil.copytree(standin, real, ignore=shutil.ignore_patterns(sc.STANDIN_MARKER))
    monkeypatch.delenv(sc.ENV_VAR, raising=False)
    monkeypatch.setattr(sc, "REAL_ROOT", real)
    monkeypatch.setattr(sc, "STANDIN_ROOT", tmp_path / "never_built")
    root, kind = sc.find_dataset_root()
    assert Path(root) == real and kind == "real"
    assert "REAL" in capsys.readouterr().out
    assert not (tmp_path / "never_built").exists()


def test_classes_are_learnable(datasets):
    """Logistic regression on mean+std pooled MFCCs is clearly above chance (1/3)."""
    ds, _ = datasets

    def pooled(d):
        return np.concatenate([d.features.mean(1), d.features.std(1)], axis=1)

    xtr, ytr = pooled(ds["train"]), np.asarray(ds["train"].label_list)
    xte = np.concatenate([pooled(ds["valid"]), pooled(ds["test"])])
    yte = np.asarray(ds["valid"].label_list + ds["test"].label_list)
    mu, sd = xtr.mean(0), xtr.std(0) + 1e-6
    torch.manual_seed(0)
    model = torch.nn.Linear(xtr.shape[1], 3)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-3)
    xt = torch.tensor((xtr - mu) / sd, dtype=torch.float32)
    yt = torch.tensor(ytr)
    for _ in range(300):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xt), yt).backward()
        opt.step()
    with torch.no_grad():
        pred = model(torch.tensor((xte - mu) / sd, dtype=torch.float32)).argmax(1).numpy()
    acc = (pred == yte).mean()
    assert acc > 0.7, acc


def _standalone(tmp_path, monkeypatch, data_dir=None):
    """The module as a notebook imports it: a copy beside the notebook, `import speech_commands`."""
    import importlib.util

    monkeypatch.chdir(tmp_path)
    if data_dir is None:
        monkeypatch.delenv(sc.DATA_DIR_ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(sc.DATA_DIR_ENV_VAR, str(data_dir))
    spec = importlib.util.spec_from_file_location("speech_commands", Path(sc.__file__))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_data_folder_rule(tmp_path, monkeypatch):
    """$COURSE_DATA_DIR, else ./data for the shipped copy; the course package uses its folder."""
    if not os.environ.get(sc.DATA_DIR_ENV_VAR):
        assert sc.DATA_DIR == Path(sc.__file__).resolve().parent
    mod = _standalone(tmp_path, monkeypatch)
    assert mod.DATA_DIR == tmp_path / "data"
    assert mod.REAL_ROOT == tmp_path / "data" / "speech_commands" / "real"
    assert mod.CACHE_DIR == tmp_path / "data" / "cache"
    mod = _standalone(tmp_path, monkeypatch, data_dir=tmp_path / "course_data")
    assert mod.STANDIN_ROOT == tmp_path / "course_data" / "speech_commands" / "standin"


def test_cache_found_through_another_path(standin, datasets, tmp_path):
    """The cache key does not hold the folder's absolute path (the sandbox mounts data/ elsewhere)."""
    _, cache = datasets
    link = tmp_path / "elsewhere"
    link.symlink_to(standin, target_is_directory=True)
    again = sc.SpeechCommandsDataset(link, "valid", cache_dir=cache)
    assert again.loaded_from_cache


def test_unwritable_cache_folder_computes_in_memory(standin, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    ds = sc.SpeechCommandsDataset(standin, "test", cache_dir=tmp_path / "file" / "cache")
    assert ds.cache_path is None and not ds.loaded_from_cache and ds.features.shape[1:] == (32, 20)
