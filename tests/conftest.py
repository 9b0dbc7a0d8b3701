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


# `make check`: the fast tier, every test of these modules (README, "For developers"): the grader
# in process (solutions and every corpus file against every hidden test, messages, rules, generic
# kinds), the references' cross-checks, intake and the term's policy. About 2 minutes on 2 cores.
CHECK_TIER = {
    "test_grader", "test_grader_messages", "test_rules", "test_kinds", "test_intake",
    "test_reference_bptt_from_scratch", "test_reference_convnets", "test_reference_recurrent_cells",
    "test_reference_sequence_models", "test_reference_sparse_autoencoder", "test_sequence_helpers",
    "test_term_policy", "test_serve", "test_gpu_check",
}


assert all((ROOT / "tests" / f"{m}.py").exists() for m in CHECK_TIER), "CHECK_TIER names a missing module"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__ in CHECK_TIER:
            item.add_marker(pytest.mark.check)

# ---------------------------------------------------------------------------------------------
# The grader in one process: verdicts of answers, and what a student may read
# ---------------------------------------------------------------------------------------------

INTERNALS = ("grader_tests", "reference", "Traceback", "ref.", ".py", "judge", "probe_runner")


def solutions(assignment):
    """The instructor's solutions of every notebook of `assignment`, by grade_id."""
    from grader_tests.framework.pipeline import submission_builder as sb
    return sb.assignment_solutions(ROOT, assignment)


def verdicts(assignment, unit, source):
    """{aspect: message or None} for every hidden test of `unit` on the answer `source`."""
    import contextlib
    import io
    from grader_tests.framework.contract import table
    from grader_tests.framework.judging import checks
    out = {}
    for aspect in table.load(assignment).unit(unit).hidden_aspects:
        with contextlib.redirect_stdout(io.StringIO()):
            verdict, _ = checks.outcome(assignment, unit, aspect, source)
        out[aspect] = None if verdict.passed else verdict.message
    return out


def assert_student_facing(message):
    """No grader internals, paths or tracebacks, and short."""
    import re
    for internal in INTERNALS:
        assert internal not in message, message
    assert not re.search(r"(/[\w.-]+){2,}", message), message
    assert len(message) < 600, message


def grade(assignment_table, answers, tests):
    """{test grade_id: Verdict} of a notebook's answers through the trusted path autograde uses
    (sandboxed probes, judged here), on the CPU."""
    from grader_tests.framework.pipeline import grading
    pending = grading.start_grading(assignment_table.name, answers, tests, devices=["cpu"],
                                    assignment_table=assignment_table)
    outcomes, _ = grading.finish_grading(pending)
    return outcomes


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


# ---------------------------------------------------------------------------------------------
# Browser and server tests: waiting for a page, a server
# ---------------------------------------------------------------------------------------------

def wait_for(condition, seconds, what):
    """`condition()`'s first true value within `seconds`; an element not there yet (or gone stale
    while the page redrew) counts as not yet."""
    import time
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def http_ok(url):
    """Whether `url` answers 200 (a server is up)."""
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
