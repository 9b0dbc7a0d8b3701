"""Tests of data/human_activity.py: stand-in layout, byte-determinism, real-data preference."""
import hashlib
import os

import h5py
import numpy as np
import pytest

from data import human_activity as ha


@pytest.fixture(scope="module")
def small_standin(tmp_path_factory):
    path = tmp_path_factory.mktemp("activity") / "a.h5"
    ha.build_standin(path, n_train=120, n_test=60, seed=7, verbose=False)
    return path


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fake_real(path, n_train=12, n_test=6, **override):
    """A small file in the real layout (random windows, cyclic labels)."""
    rng = np.random.default_rng(0)
    arrays = {"trX": rng.normal(size=(n_train, 150, 3)), "trY": np.eye(6)[np.arange(n_train) % 6],
              "tstX": rng.normal(size=(n_test, 150, 3)), "tstY": np.eye(6)[np.arange(n_test) % 6]}
    arrays.update(override)
    with h5py.File(path, "w") as fh:
        for key, value in arrays.items():
            if value is not None:
                fh[key] = value
    return path


def test_constants():
    assert ha.REAL_FILE == ha.DATA_DIR / "human_activity" / "real" / "assign3_data3.h5"
    assert ha.STANDIN_FILE == ha.DATA_DIR / "human_activity" / "standin" / "activity.h5"
    assert ha.ACTIVITIES == ("downstairs", "jogging", "sitting", "standing", "upstairs", "walking")
    assert (ha.N_TRAIN, ha.N_TEST, ha.STEPS, ha.AXES) == (3000, 600, 150, 3)


def test_layout_dtypes_one_hot_balanced(small_standin):
    with h5py.File(small_standin, "r") as fh:
        assert sorted(fh) == ["trX", "trY", "tstX", "tstY"]
        assert fh["trX"].shape == (120, 150, 3) and fh["tstY"].shape == (60, 6)
    trX, trY, tstX, tstY = ha.read_activity(small_standin)
    for X, Y, n in ((trX, trY, 120), (tstX, tstY, 60)):
        assert X.dtype == np.float64 and Y.dtype == np.float64
        assert X.shape == (n, 150, 3) and Y.shape == (n, 6)
        assert np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1)
        np.testing.assert_array_equal(Y.sum(axis=0), np.full(6, n // 6))     # balanced
        assert np.all(np.isfinite(X)) and np.abs(X).max() < 4                 # in g, moderate
        assert len(np.unique(Y.argmax(1)[:12])) > 1                           # shuffled order


def test_standin_is_plausible():
    """Gravity on y when upright, on z when sitting; gait windows move, posture windows do not;
    jogging moves most."""
    trX, trY, _, _ = (a.astype(np.float64) for a in ha.make_standin(n_train=300, n_test=6, seed=3))
    y = trY.argmax(1)
    cls = {name: trX[y == k] for k, name in enumerate(ha.ACTIVITIES)}
    mean = {name: x.mean(axis=(0, 1)) for name, x in cls.items()}
    motion = {name: x.std(axis=1).mean() for name, x in cls.items()}
    assert mean["standing"][1] > 0.9 and mean["sitting"][2] > 0.8 and mean["sitting"][1] < 0.5
    assert np.linalg.norm(mean["standing"]) == pytest.approx(1.0, abs=0.1)
    for gait in ("walking", "jogging", "upstairs", "downstairs"):
        assert motion[gait] > 2 * max(motion["standing"], motion["sitting"])
    assert motion["jogging"] > 1.5 * motion["walking"]


def test_full_standin_sizes():
    trX, trY, tstX, tstY = ha.make_standin()
    assert trX.shape == (3000, 150, 3) and tstX.shape == (600, 150, 3)
    assert trX.dtype == np.float32 and trY.dtype == np.float32
    np.testing.assert_array_equal(trY.sum(axis=0), np.full(6, 500))
    np.testing.assert_array_equal(tstY.sum(axis=0), np.full(6, 100))


def test_byte_deterministic(small_standin, tmp_path):
    again = ha.build_standin(tmp_path / "b.h5", n_train=120, n_test=60, seed=7, verbose=False)
    other = ha.build_standin(tmp_path / "c.h5", n_train=120, n_test=60, seed=8, verbose=False)
    assert _digest(again) == _digest(small_standin)
    assert _digest(other) != _digest(small_standin)


def test_env_override_and_message(tmp_path, monkeypatch, capsys):
    real = _fake_real(tmp_path / "assign3_data3.h5")
    monkeypatch.setenv(ha.ENV_VAR, str(real))
    trX, trY, tstX, tstY, kind = ha.load_activity()
    assert kind == "real" and trX.shape == (12, 150, 3) and tstY.shape == (6, 6)
    assert trX.dtype == np.float64 and trY.dtype == np.float64
    assert "REAL" in capsys.readouterr().out
    monkeypatch.setenv(ha.ENV_VAR, str(tmp_path / "missing.h5"))
    with pytest.raises(FileNotFoundError):
        ha.load_activity()


def test_prefers_real_file(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(ha.ENV_VAR, raising=False)
    real = _fake_real(tmp_path / "assign3_data3.h5", trY=np.eye(6, dtype=np.int64)[np.arange(12) % 6])
    monkeypatch.setattr(ha, "REAL_FILE", real)
    monkeypatch.setattr(ha, "STANDIN_FILE", tmp_path / "never" / "activity.h5")
    trX, trY, tstX, tstY, kind = ha.load_activity()
    assert kind == "real" and not (tmp_path / "never").exists()
    assert trY.dtype == np.float64 and trY.shape == (12, 6)                    # int labels converted
    assert "REAL" in capsys.readouterr().out


def test_standin_used_and_said(small_standin, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(ha.ENV_VAR, raising=False)
    monkeypatch.setattr(ha, "REAL_FILE", tmp_path / "absent.h5")
    monkeypatch.setattr(ha, "STANDIN_FILE", small_standin)
    trX, trY, tstX, tstY, kind = ha.load_activity()
    assert kind == "standin" and trX.shape == (120, 150, 3)
    assert "STAND-IN" in capsys.readouterr().out


def test_standin_built_on_first_use(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(ha.ENV_VAR, raising=False)
    monkeypatch.setattr(ha, "REAL_FILE", tmp_path / "absent.h5")
    monkeypatch.setattr(ha, "STANDIN_FILE", tmp_path / "standin" / "activity.h5")
    trX, trY, tstX, tstY, kind = ha.load_activity()
    assert kind == "standin" and trX.shape == (3000, 150, 3) and tstX.shape == (600, 150, 3)
    assert (tmp_path / "standin" / "activity.h5").is_file()
    out = capsys.readouterr().out
    assert "building the stand-in" in out and "STAND-IN" in out
    np.testing.assert_array_equal(trX, ha.make_standin()[0].astype(np.float64))


def test_read_only_folder_in_memory(tmp_path, monkeypatch, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    if hasattr(os, "geteuid") and os.geteuid() == 0:          # root writes anyway: refuse as a
        def refuse(*args, **kwargs):                            # read-only mount would
            raise PermissionError(13, "Read-only file system")
        monkeypatch.setattr(ha, "build_standin", refuse)
    try:
        monkeypatch.delenv(ha.ENV_VAR, raising=False)
        monkeypatch.setattr(ha, "REAL_FILE", locked / "real" / "assign3_data3.h5")
        monkeypatch.setattr(ha, "STANDIN_FILE", locked / "standin" / "activity.h5")
        trX, trY, tstX, tstY, kind = ha.load_activity()
        assert kind == "standin" and trX.shape == (3000, 150, 3) and trX.dtype == np.float64
        assert not (locked / "standin").exists()
        assert "in memory" in capsys.readouterr().out
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("override, message", [
    ({"trX": np.zeros((12, 3, 150))}, "trX"),
    ({"tstY": np.zeros((6, 5))}, "tstY"),
    ({"trY": np.eye(6)[np.arange(10) % 6]}, "labels"),
    ({"trY": np.full((12, 6), 1 / 6)}, "one-hot"),
])
def test_bad_layout_rejected(tmp_path, override, message):
    path = _fake_real(tmp_path / "bad.h5", **override)
    with pytest.raises(ValueError, match=message):
        ha.read_activity(path)


def test_missing_dataset_named(tmp_path):
    path = _fake_real(tmp_path / "bad.h5", tstY=None)
    with pytest.raises(KeyError, match="tstY"):
        ha.read_activity(path)


def test_data_folder_rule(tmp_path, monkeypatch):
    """$COURSE_DATA_DIR, else ./data for the copy shipped beside the notebook."""
    import importlib.util
    from pathlib import Path

    def standalone():
        spec = importlib.util.spec_from_file_location("human_activity", ha.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    if not os.environ.get(ha.DATA_DIR_ENV_VAR):     # the course's own package: its folder
        assert ha.DATA_DIR == Path(ha.__file__).resolve().parent
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ha.DATA_DIR_ENV_VAR, raising=False)
    assert standalone().REAL_FILE == tmp_path / "data" / "human_activity" / "real" / "assign3_data3.h5"
    monkeypatch.setenv(ha.DATA_DIR_ENV_VAR, str(tmp_path / "course_data"))
    assert standalone().STANDIN_FILE == tmp_path / "course_data" / "human_activity" / "standin" / "activity.h5"


def test_command_line_builds(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(ha.ENV_VAR, raising=False)
    monkeypatch.setattr(ha, "REAL_FILE", tmp_path / "absent.h5")
    monkeypatch.setattr(ha, "STANDIN_FILE", tmp_path / "standin" / "activity.h5")
    assert ha.main(["build"]) == 0
    assert "built the stand-in" in capsys.readouterr().out
    assert ha.main(["build"]) == 0
    assert "up to date" in capsys.readouterr().out
