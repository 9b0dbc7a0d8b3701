"""Tests of data/mnist_sequences.py: the scikit-learn fallback (layout, range, labels, a
deterministic split), the real MNIST IDX reader (small files written here, plain and gzipped)
preferred over the fallback, clear errors on corrupt files, the printed line, the command line."""
import gzip
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from data import mnist_sequences as mseq

ROOT = Path(__file__).resolve().parents[1]


def _idx_bytes(array, type_code=0x08):
    array = np.asarray(array)
    header = bytes([0, 0, type_code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _fake_images(n, rows=5, cols=4, offset=0):
    """Image k: pixel (r, c) = (offset + 7k + 3r + c) mod 256, so rows and columns are told apart."""
    k, r, c = np.meshgrid(np.arange(n), np.arange(rows), np.arange(cols), indexing="ij")
    return ((offset + 7 * k + 3 * r + c) % 256).astype(np.uint8)


def _write_mnist(folder, gz, n_train=12, n_test=6):
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {"train_images": _fake_images(n_train), "train_labels": np.arange(n_train, dtype=np.uint8) % 10,
              "test_images": _fake_images(n_test, offset=100),
              "test_labels": (np.arange(n_test, dtype=np.uint8) * 3) % 10}
    for key, name in mseq.FILES.items():
        raw = _idx_bytes(arrays[key])
        if gz:
            (folder / (name + ".gz")).write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)
    return arrays


@pytest.fixture(scope="module")
def standin():
    return mseq.make_standin()


def test_constants():
    assert mseq.REAL_DIR == mseq.DATA_DIR / "mnist" / "real"
    assert set(mseq.FILES.values()) == {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}


def test_standin_layout_range_labels(standin):
    X_train, y_train, X_test, y_test = standin
    assert X_train.shape == (1437, 8, 8) and X_test.shape == (360, 8, 8)
    assert X_train.dtype == X_test.dtype == np.float32
    assert y_train.dtype == y_test.dtype == np.int64
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    for X in (X_train, X_test):
        assert X.min() == 0.0 and X.max() == 1.0
        np.testing.assert_array_equal(X * 16, np.round(X * 16))        # values k / 16
    # every digit in both splits, in the proportions of the whole (stratified)
    assert set(y_train) == set(y_test) == set(range(10))
    assert np.bincount(y_test).min() >= 35 and np.bincount(y_test).max() <= 37
    # the two splits are disjoint images of scikit-learn's digits, which they cover
    from sklearn.datasets import load_digits
    every = {img.tobytes() for img in (load_digits().images / 16.0).astype(np.float32)}
    train_keys = {img.tobytes() for img in X_train}
    test_keys = {img.tobytes() for img in X_test}
    assert train_keys <= every and test_keys <= every and not (train_keys & test_keys)


def test_standin_deterministic(standin):
    again = mseq.make_standin()
    for a, b in zip(standin, again):
        np.testing.assert_array_equal(a, b)
    other = mseq.make_standin(seed=mseq.SEED + 1)
    assert not np.array_equal(other[1], standin[1])


def test_standin_used_and_said(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(mseq.ENV_VAR, raising=False)
    monkeypatch.setattr(mseq, "REAL_DIR", tmp_path / "absent")
    X_train, y_train, X_test, y_test, kind = mseq.load_digit_sequences()
    assert kind == "standin" and X_train.shape[1:] == (8, 8)
    out = capsys.readouterr().out
    assert "STAND-IN" in out and str(tmp_path / "absent") in out
    mseq.load_digit_sequences(verbose=False)
    assert capsys.readouterr().out == ""
    assert not (tmp_path / "absent").exists()                 # nothing is written for the fallback


@pytest.mark.parametrize("gz", [False, True])
def test_real_files_read_and_preferred(tmp_path, monkeypatch, capsys, gz):
    monkeypatch.delenv(mseq.ENV_VAR, raising=False)
    arrays = _write_mnist(tmp_path / "real", gz)
    monkeypatch.setattr(mseq, "REAL_DIR", tmp_path / "real")
    X_train, y_train, X_test, y_test, kind = mseq.load_digit_sequences()
    assert kind == "real" and "REAL" in capsys.readouterr().out
    assert X_train.shape == (12, 5, 4) and X_test.shape == (6, 5, 4)       # rows x cols kept
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    np.testing.assert_allclose(X_train, arrays["train_images"] / 255.0, rtol=1e-6)
    np.testing.assert_allclose(X_test, arrays["test_images"] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y_train, arrays["train_labels"])
    np.testing.assert_array_equal(y_test, arrays["test_labels"])


def test_env_folder(tmp_path, monkeypatch, capsys):
    _write_mnist(tmp_path / "elsewhere", gz=True)
    monkeypatch.setenv(mseq.ENV_VAR, str(tmp_path / "elsewhere"))
    monkeypatch.setattr(mseq, "REAL_DIR", tmp_path / "absent")
    *_, kind = mseq.load_digit_sequences()
    assert kind == "real" and "REAL" in capsys.readouterr().out
    monkeypatch.setenv(mseq.ENV_VAR, str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match=mseq.ENV_VAR):
        mseq.load_digit_sequences()


def test_idx_types_and_shapes(tmp_path):
    for code, dtype in ((0x08, np.uint8), (0x0B, np.int16), (0x0C, np.int32), (0x0D, np.float32),
                        (0x0E, np.float64)):
        array = (np.arange(24).reshape(2, 3, 4) - 5 * (dtype not in (np.uint8,))).astype(dtype)
        path = tmp_path / f"a{code}"
        path.write_bytes(_idx_bytes(array, code))
        np.testing.assert_array_equal(mseq.read_idx(path), array)
    # the big-endian dimensions: a size above 255 survives
    labels = (np.arange(300) % 10).astype(np.uint8)
    np.testing.assert_array_equal(mseq.parse_idx(_idx_bytes(labels)), labels)


@pytest.mark.parametrize("corrupt, message", [
    (lambda raw: b"\x08\x03" + raw[2:], "not an IDX file"),          # wrong magic number
    (lambda raw: raw[:-5], "truncated or corrupt"),                   # values cut short
    (lambda raw: raw[:6], "truncated header"),                        # header cut short
    (lambda raw: raw[:2], "too short"),
])
def test_corrupt_file_clear_error(tmp_path, monkeypatch, corrupt, message):
    monkeypatch.delenv(mseq.ENV_VAR, raising=False)
    _write_mnist(tmp_path / "real", gz=False)
    path = tmp_path / "real" / mseq.FILES["train_images"]
    path.write_bytes(corrupt(path.read_bytes()))
    monkeypatch.setattr(mseq, "REAL_DIR", tmp_path / "real")
    with pytest.raises(ValueError, match=message) as info:
        mseq.load_digit_sequences(verbose=False)
    assert mseq.FILES["train_images"] in str(info.value)             # the message names the file


def test_bad_gzip_and_mismatches(tmp_path, monkeypatch):
    monkeypatch.delenv(mseq.ENV_VAR, raising=False)
    monkeypatch.setattr(mseq, "REAL_DIR", tmp_path / "real")
    _write_mnist(tmp_path / "real", gz=True)
    bad = tmp_path / "real" / (mseq.FILES["test_labels"] + ".gz")
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="gzip"):
        mseq.load_digit_sequences(verbose=False)
    bad.write_bytes(gzip.compress(_idx_bytes(np.zeros(5, dtype=np.uint8))))      # 5 labels, 6 images
    with pytest.raises(ValueError, match="5 labels for 6 images"):
        mseq.load_digit_sequences(verbose=False)
    bad.write_bytes(gzip.compress(_idx_bytes(np.full(6, 11, dtype=np.uint8))))
    with pytest.raises(ValueError, match="labels must lie"):
        mseq.load_digit_sequences(verbose=False)
    bad.write_bytes(gzip.compress(_idx_bytes(np.zeros((6, 2), dtype=np.uint8))))
    with pytest.raises(ValueError, match="shape"):
        mseq.load_digit_sequences(verbose=False)


def test_data_folder_rule(tmp_path, monkeypatch):
    """$COURSE_DATA_DIR, else ./data for the copy shipped beside the notebook."""
    def standalone():
        spec = importlib.util.spec_from_file_location("mnist_sequences", mseq.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    if not os.environ.get(mseq.DATA_DIR_ENV_VAR):      # the course's own package: its folder
        assert mseq.DATA_DIR == Path(mseq.__file__).resolve().parent
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(mseq.DATA_DIR_ENV_VAR, raising=False)
    assert standalone().REAL_DIR == tmp_path / "data" / "mnist" / "real"
    monkeypatch.setenv(mseq.DATA_DIR_ENV_VAR, str(tmp_path / "course_data"))
    assert standalone().REAL_DIR == tmp_path / "course_data" / "mnist" / "real"


def test_build_command(tmp_path):
    """`python -m data.mnist_sequences build` works offline and in a read-only data folder."""
    data = tmp_path / "ro"
    data.mkdir()
    data.chmod(0o555)
    env = {k: v for k, v in os.environ.items() if k != mseq.ENV_VAR}
    env.update(COURSE_DATA_DIR=str(data), PYTHONPATH=str(ROOT))
    try:
        proc = subprocess.run([sys.executable, "-m", "data.mnist_sequences", "build"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    finally:
        data.chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    assert "STAND-IN" in proc.stdout and "1437" in proc.stdout
    assert list(data.iterdir()) == []


def test_imports_nothing_of_the_course(tmp_path):
    """Module level: numpy and the standard library only (scikit-learn inside `make_standin`);
    run as a copy beside a notebook (`python mnist_sequences.py build`), it works without the
    course, with real files in ./data/mnist/real or without them."""
    import ast
    tree = ast.parse(Path(mseq.__file__).read_text())
    top = {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import)
           for alias in node.names}
    top |= {node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert top <= {"__future__", "argparse", "gzip", "os", "sys", "pathlib", "numpy"}, top
    notebook = tmp_path / "notebook"
    notebook.mkdir()
    (notebook / "mnist_sequences.py").write_bytes(Path(mseq.__file__).read_bytes())
    probe = ("import sys, mnist_sequences as m; m.main(['build']); *_, kind = m.load_digit_sequences(); "
             "bad = [n for n in sys.modules if n.split('.')[0] in "
             "('data', 'grader_tests', 'reference', 'tools', 'handouts', 'torch')]; "
             "assert not bad, bad; print(kind, m.DATA_DIR)")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", mseq.DATA_DIR_ENV_VAR, mseq.ENV_VAR)}
    run = lambda: subprocess.run([sys.executable, "-c", probe], cwd=notebook, env=env,  # noqa: E731
                                 capture_output=True, text=True, timeout=120)
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert "STAND-IN" in proc.stdout and f"standin {notebook / 'data'}" in proc.stdout
    _write_mnist(notebook / "data" / "mnist" / "real", gz=True)
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert "REAL" in proc.stdout and f"real {notebook / 'data'}" in proc.stdout
