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
    from grader_tests.framework.pipeline.submission_builder import throwaway_course
    return throwaway_course(tmp_path, assignment, ROOT)


def nbgrader(course, *args, check=True, env=None):
    """Run `nbgrader *args` in `course`; `env`: variables added to this process's environment."""
    env = {**{k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}, **(env or {})}
    proc = subprocess.run([str(pathlib.Path(sys.executable).parent / "nbgrader"), *args], cwd=course,
                          capture_output=True, text=True, env=env, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def course_with_release(folder, assignment="recurrent_cells", env=None):
    """A throwaway course with the assignment generated: (course, release notebook path, the
    instructor's solutions by grade_id), for tests that build submissions from them."""
    from grader_tests.framework.pipeline import submission_builder as sb
    from grader_tests.framework.contract import table
    course = make_course(folder, assignment)
    nbgrader(course, "generate_assignment", assignment, "--force", env=env)
    notebook = table.load(assignment).notebook_files[0]
    return (course, course / "release" / assignment / notebook,
            sb.solutions(course / "source" / assignment / notebook))


def free_port():
    """A free TCP port on the loopback interface."""
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def course(tmp_path):
    return make_course(tmp_path)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by selenium (Debian's chromium + chromium-driver, which
    `make test` installs when it may). Skips only when the browser is not installed."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1300,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
