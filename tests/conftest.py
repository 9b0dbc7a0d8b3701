import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")
# As `make test` does: the virtualenv's tools come first on PATH (nbgrader runs `alembic`, and
# tools/course.py runs `nbgrader`, by name), also when pytest is started directly.
_BIN = str(pathlib.Path(sys.executable).parent)
if os.environ.get("PATH", "").split(os.pathsep)[0] != _BIN:
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")


def make_course(tmp_path, assignment="recurrent_cells"):
    """A throwaway course root: its own config, source, gradebook; the packages linked in."""
    course = tmp_path / "course"
    course.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment)
    for name in ("grader_tests", "reference", "handouts", "data", "tools"):
        (course / name).symlink_to(ROOT / name)
    return course


def nbgrader(course, *args, check=True):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    proc = subprocess.run([str(pathlib.Path(sys.executable).parent / "nbgrader"), *args], cwd=course,
                          capture_output=True, text=True, env=env, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


@pytest.fixture
def course(tmp_path):
    return make_course(tmp_path)
