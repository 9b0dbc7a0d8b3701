"""Tests of data/natural_patches.py: stand-in layout, byte-determinism, real-data preference."""
import hashlib

import h5py
import numpy as np
import pytest

from data import natural_patches as npatch


@pytest.fixture(scope="module")
def small_standin(tmp_path_factory):
    path = tmp_path_factory.mktemp("patches") / "a.h5"
    npatch.build_standin(path, n=512, seed=7, verbose=False)
    return path


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_constants():
    assert npatch.REAL_FILE == npatch.DATA_DIR / "natural_patches" / "real" / "assign3_data1.h5"
    assert npatch.STANDIN_FILE == npatch.DATA_DIR / "natural_patches" / "standin" / "patches.h5"
    assert npatch.N_PATCHES == 10240


def test_layout_and_range(small_standin):
    with h5py.File(small_standin, "r") as fh:
        assert list(fh) == ["data"]
        assert fh["data"].shape == (512, 3, 16, 16)
    x = npatch.read_patches(small_standin)
    assert x.dtype == np.float64 and x.min() >= 0 and x.max() <= 1
    # real photographs: the patches are not flat, colours differ between channels, values are k/255
    assert x.std(axis=(2, 3)).mean() > 0.02
    assert np.abs(x[:, 0] - x[:, 2]).mean() > 0.01
    np.testing.assert_allclose(x * 255, np.round(x * 255), atol=1e-4)
    assert len({p.tobytes() for p in x}) > 500


def test_byte_deterministic(small_standin, tmp_path):
    again = npatch.build_standin(tmp_path / "b.h5", n=512, seed=7, verbose=False)
    other = npatch.build_standin(tmp_path / "c.h5", n=512, seed=8, verbose=False)
    assert _digest(again) == _digest(small_standin)
    assert _digest(other) != _digest(small_standin)


def test_env_override_and_message(small_standin, monkeypatch, capsys):
    monkeypatch.setenv(npatch.ENV_VAR, str(small_standin))
    x, kind = npatch.load_patches()
    assert kind == "real" and x.shape == (512, 3, 16, 16)
    assert "REAL" in capsys.readouterr().out
    monkeypatch.setenv(npatch.ENV_VAR, str(small_standin.parent / "missing.h5"))
    with pytest.raises(FileNotFoundError):
        npatch.load_patches()


def test_prefers_real_file(small_standin, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(npatch.ENV_VAR, raising=False)
    monkeypatch.setattr(npatch, "REAL_FILE", small_standin)
    monkeypatch.setattr(npatch, "STANDIN_FILE", tmp_path / "never" / "patches.h5")
    x, kind = npatch.load_patches()
    assert kind == "real" and not (tmp_path / "never").exists()
    assert "REAL" in capsys.readouterr().out


def test_standin_used_and_said(small_standin, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(npatch.ENV_VAR, raising=False)
    monkeypatch.setattr(npatch, "REAL_FILE", tmp_path / "absent.h5")
    monkeypatch.setattr(npatch, "STANDIN_FILE", small_standin)
    x, kind = npatch.load_patches()
    assert kind == "standin" and x.shape == (512, 3, 16, 16)
    assert "STAND-IN" in capsys.readouterr().out


def test_bad_layout_rejected(tmp_path):
    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as fh:
        fh["data"] = np.zeros((4, 16, 16, 3))
    with pytest.raises(ValueError):
        npatch.read_patches(path)


def test_data_folder_rule(tmp_path, monkeypatch):
    """$COURSE_DATA_DIR, else ./data for the copy shipped beside the notebook."""
    import importlib.util
    import os
    from pathlib import Path

    def standalone():
        spec = importlib.util.spec_from_file_location("natural_patches", npatch.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    if not os.environ.get(npatch.DATA_DIR_ENV_VAR):     # the course's own package: its folder
        assert npatch.DATA_DIR == Path(npatch.__file__).resolve().parent
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(npatch.DATA_DIR_ENV_VAR, raising=False)
    assert standalone().REAL_FILE == tmp_path / "data" / "natural_patches" / "real" / "assign3_data1.h5"
    monkeypatch.setenv(npatch.DATA_DIR_ENV_VAR, str(tmp_path / "course_data"))
    assert standalone().STANDIN_FILE == tmp_path / "course_data" / "natural_patches" / "standin" / "patches.h5"
