"""Tests of data/cifar10.py: stand-in layout and byte-determinism, the held-out digit pool, the
real loader (a tiny fake CIFAR-10 python folder) preferred over the stand-in, the printed line."""
import ast
import hashlib
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from data import cifar10

SMALL = 20                       # images per batch in the tests' stand-ins


@pytest.fixture(scope="module")
def small_standin(tmp_path_factory):
    folder = tmp_path_factory.mktemp("standin") / "cifar-10-batches-py"
    cifar10.build_standin(folder, batch_size=SMALL, verbose=False)
    return folder


@pytest.fixture
def fake_real(tmp_path):
    """A CIFAR-10 python folder in the original format: 2 training batches and a test batch of
    10 images; image k of each batch has red = k, green = 100 + k, blue = 200 + k, except that
    image 0's red plane is the ramp 0..1023 mod 256 in row-major order."""
    folder = tmp_path / "real" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for b, name in enumerate(["data_batch_1", "data_batch_2", "test_batch"]):
        data = np.zeros((10, 3072), dtype=np.uint8)
        for k in range(10):
            data[k] = np.repeat([k, 100 + k, 200 + k], 1024)
        data[0, :1024] = np.arange(1024) % 256
        batch = {b"batch_label": f"fake {name}".encode(), b"labels": [(k + b) % 10 for k in range(10)],
                 b"data": data, b"filenames": [f"{name}_{k}.png".encode() for k in range(10)]}
        with open(folder / name, "wb") as fh:
            pickle.dump(batch, fh, protocol=2)
    return folder


@pytest.fixture
def paths(tmp_path, monkeypatch):
    """Point the module at folders in tmp_path (no real data, no stand-in yet, small batches)."""
    monkeypatch.delenv(cifar10.ENV_VAR, raising=False)
    root = tmp_path / "data" / "cifar10"
    monkeypatch.setattr(cifar10, "REAL_DIR", root / "real" / "cifar-10-batches-py")
    monkeypatch.setattr(cifar10, "STANDIN_DIR", root / "standin" / "cifar-10-batches-py")
    monkeypatch.setattr(cifar10, "STANDIN_BATCH_SIZE", SMALL)
    return cifar10


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(folder).iterdir())}


def test_constants():
    assert cifar10.REAL_DIR == cifar10.DATA_DIR / "cifar10" / "real" / "cifar-10-batches-py"
    assert cifar10.STANDIN_DIR == cifar10.DATA_DIR / "cifar10" / "standin" / "cifar-10-batches-py"
    assert cifar10.STANDIN_BATCH_SIZE == 2000 and len(cifar10.TRAIN_BATCHES) == 5
    assert cifar10.CLASSES[0] == "airplane" and len(cifar10.CLASSES) == 10
    assert cifar10.DIGIT_CLASSES == tuple("0123456789")
    assert cifar10.POOLS == {"public": (0, 1500), "heldout": (1500, 1797)}


def test_standin_file_format(small_standin):
    names = sorted(p.name for p in small_standin.iterdir())
    assert names == ["batches.meta", "data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4",
                     "data_batch_5", "test_batch"]
    for name in names[1:]:
        with open(small_standin / name, "rb") as fh:
            batch = pickle.load(fh, encoding="bytes")
        assert {b"batch_label", b"labels", b"data"} <= set(batch)
        assert isinstance(batch[b"labels"], list) and all(type(v) is int for v in batch[b"labels"])
        assert batch[b"data"].dtype == np.uint8 and batch[b"data"].shape == (SMALL, 3072)
    with open(small_standin / "batches.meta", "rb") as fh:
        meta = pickle.load(fh, encoding="bytes")
    assert meta[b"label_names"] == [str(k).encode() for k in range(10)]


def test_standin_layout_and_content(small_standin):
    X_train, y_train, X_test, y_test = cifar10.read_folder(small_standin)
    assert X_train.shape == (5 * SMALL, 3, 32, 32) and X_test.shape == (SMALL, 3, 32, 32)
    assert X_train.dtype == X_test.dtype == np.uint8
    assert y_train.dtype == y_test.dtype == np.int64
    assert y_train.min() >= 0 and y_train.max() <= 9 and set(y_test) <= set(range(10))
    assert np.bincount(y_train, minlength=10).min() >= 5 * SMALL // 10 - 5     # about balanced
    x = X_train.astype(np.float64)
    assert x.std(axis=(2, 3)).mean() > 15                  # not flat: photo, digit and noise
    assert np.abs(x[:, 0] - x[:, 2]).mean() > 5            # colour
    assert len({im.tobytes() for im in np.concatenate([X_train, X_test])}) == 6 * SMALL


def test_byte_deterministic(small_standin, tmp_path):
    again = cifar10.build_standin(tmp_path / "b", batch_size=SMALL, verbose=False)
    other = cifar10.build_standin(tmp_path / "c", batch_size=SMALL, train_seed=1, verbose=False)
    assert _digests(again) == _digests(small_standin)
    assert _digests(other)["data_batch_1"] != _digests(small_standin)["data_batch_1"]
    assert _digests(other)["test_batch"] == _digests(small_standin)["test_batch"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".building")]


def test_render_pools():
    X, y, idx = cifar10.render(60, seed=5, pool="public", return_index=True)
    Xh, yh, idxh = cifar10.render(60, seed=5, pool="heldout", return_index=True)
    assert X.shape == Xh.shape == (60, 3, 32, 32) and X.dtype == Xh.dtype == np.uint8
    assert y.dtype == np.int64 and np.bincount(y, minlength=10).tolist() == [6] * 10
    assert np.bincount(yh, minlength=10).tolist() == [6] * 10
    assert idx.min() >= 0 and idx.max() < 1500
    assert idxh.min() >= 1500 and idxh.max() < 1797
    from sklearn.datasets import load_digits
    target = load_digits().target
    assert (target[idx] == y).all() and (target[idxh] == yh).all()
    assert not np.array_equal(X, Xh)
    again, y_again = cifar10.render(60, seed=5, pool="heldout")
    assert np.array_equal(again, Xh) and np.array_equal(y_again, yh)
    assert not np.array_equal(cifar10.render(60, seed=6, pool="heldout")[0], Xh)
    with pytest.raises(ValueError):
        cifar10.render(3, seed=0, pool="train")


def test_heldout_digits_never_in_the_standin(monkeypatch):
    """Blank out the held-out digits: public renders do not change, held-out ones lose the digit."""
    material = cifar10._material()
    public = cifar10.render(30, seed=3)[0]
    heldout = cifar10.render(30, seed=3, pool="heldout")[0]
    blanked = dict(material, digits=material["digits"].copy())
    blanked["digits"][1500:] = 0.0
    monkeypatch.setattr(cifar10, "_MATERIAL", blanked)
    assert np.array_equal(cifar10.render(30, seed=3)[0], public)
    assert not np.array_equal(cifar10.render(30, seed=3, pool="heldout")[0], heldout)


def test_real_loader_reads_the_cifar_format(fake_real):
    X_train, y_train, X_test, y_test = cifar10.read_folder(fake_real)
    assert X_train.shape == (20, 3, 32, 32) and X_test.shape == (10, 3, 32, 32)
    assert X_train.dtype == np.uint8 and y_train.dtype == np.int64
    assert y_train.tolist() == [k % 10 for k in range(10)] + [(k + 1) % 10 for k in range(10)]
    assert y_test.tolist() == [(k + 2) % 10 for k in range(10)]
    assert (X_train[3, 0] == 3).all() and (X_train[3, 1] == 103).all() and (X_train[3, 2] == 203).all()
    assert X_train[0, 0, 0, :4].tolist() == [0, 1, 2, 3] and X_train[0, 0, 1, 0] == 32   # row-major


def test_real_data_preferred_and_said(fake_real, paths, monkeypatch, capsys):
    monkeypatch.setattr(cifar10, "REAL_DIR", fake_real)
    assert cifar10.using_real_data() and cifar10.class_names() == cifar10.CLASSES
    X_train, y_train, X_test, y_test = cifar10.load_cifar10()
    assert X_train.shape == (20, 3, 32, 32) and X_test.shape == (10, 3, 32, 32)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "REAL CIFAR-10" in out[0] and str(fake_real) in out[0]
    assert not cifar10.STANDIN_DIR.parent.exists()              # no stand-in built
    X_train, _, X_test, _ = cifar10.load_cifar10(num_train=7, num_test=3, verbose=False)
    assert len(X_train) == 7 and len(X_test) == 3 and capsys.readouterr().out == ""


def test_env_override(fake_real, paths, monkeypatch, capsys):
    for where in (fake_real, fake_real.parent):                 # the folder, or the one above it
        monkeypatch.setenv(cifar10.ENV_VAR, str(where))
        assert cifar10.using_real_data()
        assert cifar10.load_cifar10()[0].shape == (20, 3, 32, 32)
        assert "REAL" in capsys.readouterr().out
    monkeypatch.setenv(cifar10.ENV_VAR, str(fake_real.parent / "missing"))
    with pytest.raises(FileNotFoundError):
        cifar10.load_cifar10()


def test_standin_built_on_first_use_and_said(paths, capsys):
    assert not cifar10.using_real_data() and cifar10.class_names() == cifar10.DIGIT_CLASSES
    X_train, y_train, X_test, y_test = cifar10.load_cifar10()
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and "building the stand-in" in lines[0]
    assert "STAND-IN" in lines[1] and str(cifar10.REAL_DIR) in lines[1]
    assert str(cifar10.STANDIN_DIR) in lines[1]
    assert X_train.shape == (5 * SMALL, 3, 32, 32) and X_test.shape == (SMALL, 3, 32, 32)
    assert cifar10._standin_is_current(cifar10.STANDIN_DIR)
    again = cifar10.load_cifar10()                              # now read, not built again
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "STAND-IN" in lines[0]
    assert all(np.array_equal(a, b) for a, b in zip(again, (X_train, y_train, X_test, y_test)))


def test_stale_standin_rebuilt(paths, monkeypatch, capsys):
    cifar10.build_standin(batch_size=SMALL + 10, verbose=False)  # another size: not current
    assert not cifar10._standin_is_current(cifar10.STANDIN_DIR)
    X_train = cifar10.load_cifar10()[0]
    assert len(X_train) == 5 * SMALL and "building" in capsys.readouterr().out
    assert cifar10._standin_is_current(cifar10.STANDIN_DIR)
    monkeypatch.setitem(cifar10._JITTER, "angle", 10.0)          # other rendering: not current
    assert not cifar10._standin_is_current(cifar10.STANDIN_DIR)


def test_read_only_folder_renders_in_memory(paths, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the data folder would be")
    monkeypatch.setattr(cifar10, "STANDIN_DIR", blocker / "cifar10" / "standin" / "cifar-10-batches-py")
    X_train, _, X_test, _ = cifar10.load_cifar10()
    assert X_train.shape == (5 * SMALL, 3, 32, 32) and X_test.shape == (SMALL, 3, 32, 32)
    assert "STAND-IN" in capsys.readouterr().out and blocker.is_file()


def test_bad_batches_rejected(tmp_path):
    for bad in ({b"data": np.zeros((2, 3072), np.float32), b"labels": [0, 1]},
                {b"data": np.zeros((2, 32, 32, 3), np.uint8), b"labels": [0, 1]},
                {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]},
                {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 10]},
                {b"images": np.zeros((2, 3072), np.uint8)}):
        (tmp_path / "batch").write_bytes(pickle.dumps(bad))
        with pytest.raises(ValueError):
            cifar10.read_batch(tmp_path / "batch")
    with pytest.raises(FileNotFoundError):
        cifar10.read_folder(tmp_path)


def test_build_command(fake_real, paths, monkeypatch, capsys):
    assert cifar10.main(["build"]) == 0
    out = capsys.readouterr().out
    assert "built the stand-in" in out and "STAND-IN" in out
    assert cifar10._standin_is_current(cifar10.STANDIN_DIR)
    assert cifar10.main(["build"]) == 0 and "up to date" in capsys.readouterr().out
    monkeypatch.setattr(cifar10, "REAL_DIR", fake_real)
    assert cifar10.main(["build"]) == 0 and "REAL" in capsys.readouterr().out


def test_imports_nothing_of_the_course(fake_real, tmp_path):
    """Module level: numpy and the standard library only; run as a copy beside a notebook
    (`python cifar10.py build`), it works without the course and without scipy/sklearn."""
    tree = ast.parse(Path(cifar10.__file__).read_text())
    top = {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import)
           for alias in node.names}
    top |= {node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert top <= {"__future__", "argparse", "os", "pickle", "shutil", "sys", "tempfile", "pathlib",
                   "numpy"}, top
    notebook = tmp_path / "notebook"
    notebook.mkdir()
    (notebook / "cifar10.py").write_bytes(Path(cifar10.__file__).read_bytes())
    probe = ("import sys, cifar10; cifar10.main(['build']); "
             "bad = [m for m in sys.modules if m.split('.')[0] in "
             "('data', 'grader_tests', 'reference', 'tools', 'handouts', 'scipy', 'sklearn', 'torch')]; "
             "assert not bad, bad; print(cifar10.DATA_DIR)")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", cifar10.DATA_DIR_ENV_VAR)}
    env[cifar10.ENV_VAR] = str(fake_real)
    proc = subprocess.run([sys.executable, "-c", probe], cwd=notebook, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "REAL" in proc.stdout and str(notebook / "data") in proc.stdout


def test_data_folder_rule(tmp_path, monkeypatch):
    """$COURSE_DATA_DIR, else ./data for the copy shipped beside the notebook."""
    import importlib.util

    def standalone():
        spec = importlib.util.spec_from_file_location("cifar10", cifar10.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    if not os.environ.get(cifar10.DATA_DIR_ENV_VAR):    # the course's own package: its folder
        assert cifar10.DATA_DIR == Path(cifar10.__file__).resolve().parent
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cifar10.DATA_DIR_ENV_VAR, raising=False)
    assert standalone().REAL_DIR == tmp_path / "data" / "cifar10" / "real" / "cifar-10-batches-py"
    monkeypatch.setenv(cifar10.DATA_DIR_ENV_VAR, str(tmp_path / "course_data"))
    standin = tmp_path / "course_data" / "cifar10" / "standin" / "cifar-10-batches-py"
    assert standalone().STANDIN_DIR == standin
