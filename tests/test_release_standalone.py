"""Releases a student can run (SPEC 5): the release folder alone, outside the course.

- Each release folder, copied alone to a folder outside the course, with the instructor's code
  answers filled in, runs from top to bottom in a kernel that cannot see the course (no
  PYTHONPATH, COURSE_DATA_DIR or COURSE_ROOT): the notebook imports the loader shipped beside
  it, which builds the stand-in in ./data as on a student's machine.
- The shipped loaders are copies of data/ (tools/ship_data_modules.py), the release carries
  them and no solution file, and autograde grades with the instructor's copy even when a
  student deleted or edited theirs.
- Once, the whole way a course runs: generate, release to an exchange, fetch as a student in a
  folder outside the course, submit, collect, autograde, generate, release and fetch feedback.
"""
import importlib
import os
import pathlib
import shutil
import subprocess
import sys
import time

import nbformat
import pytest

from conftest import ROOT, make_course, nbgrader

from grader_tests.framework.pipeline import submission_builder as sb
from grader_tests.framework.contract import table

sys.path.insert(0, str(ROOT / "tools"))
import course as course_tool  # noqa: E402
import ship_data_modules  # noqa: E402

ASSIGNMENTS = table.assignments()
# The exchange runs use the faster notebook (measured on 2 cores, short schedule, stand-in
# built on first use: sparse_autoencoder ~6 s, recurrent_cells ~12 s as a student runs them).
END_TO_END = "sparse_autoencoder" if "sparse_autoencoder" in ASSIGNMENTS else ASSIGNMENTS[0]
COURSE_ENV = ("PYTHONPATH", "COURSE_DATA_DIR", "COURSE_ROOT", "NATURAL_PATCHES_FILE",
              "SPEECH_COMMANDS_ROOT")


def student_env(**extra):
    """The environment of a student's machine: nothing that points into the course."""
    env = {k: v for k, v in os.environ.items() if k not in COURSE_ENV and not k.startswith("JPY_")}
    env.update(COURSE_SHORT_SCHEDULE="1", MPLBACKEND="Agg", **extra)
    return env


def code_answers(assignment):
    """The instructor's answers of the autograded units (code and value units), as submitted."""
    every = sb.assignment_solutions(ROOT, assignment)
    return {u.id: every[u.id] for u in table.load(assignment).autograded_units}


def notebook_name(assignment):
    return table.load(assignment).notebook_files[0]


# ---------------------------------------------------------------------------------------------
# What ships
# ---------------------------------------------------------------------------------------------

def test_shipped_copies_match_data():
    assert ship_data_modules.stale() == [], "run python tools/ship_data_modules.py"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_carries_loader_and_no_solutions(assignment):
    release = ROOT / "release" / assignment
    ships = table.load(assignment).ships
    assert ships, f"{assignment}: TABLE.ships names no loader"
    shipped = {pathlib.PurePath(name).name for name in ships}
    for name in ships:
        copy = release / pathlib.PurePath(name).name
        assert copy.read_bytes() == (ROOT / table.shipped_file(name)).read_bytes(), name
    for path in release.rglob("*"):
        assert path.name != "data" and "__pycache__" not in path.parts, path
        if path.suffix == ".py":
            assert path.name in shipped, f"{path} ships but is no module of the table"
            assert "### BEGIN SOLUTION" not in path.read_text(), path
    for name in table.load(assignment).notebook_files:
        nb = (release / name).read_text()
        assert "from data." not in nb and "import data" not in nb and "COURSE_ROOT" not in nb


# ---------------------------------------------------------------------------------------------
# A student runs the release folder alone
# ---------------------------------------------------------------------------------------------

PROBE = """import importlib.util, json, os, sys
def _where(name):
    spec = importlib.util.find_spec(name)
    return None if spec is None else [spec.origin] + list(spec.submodule_search_locations or [])
print("STANDALONE-PROBE " + json.dumps({
    "modules": {m: getattr(sys.modules.get(m), "__file__", None) for m in %r},
    "course_packages": {m: _where(m) for m in ("data", "grader_tests", "reference")},
    "sys_path": [os.path.abspath(p) for p in sys.path]}))
"""


def _inside(path, folder):
    return path is not None and pathlib.Path(path).resolve().is_relative_to(pathlib.Path(folder).resolve())


def _in_course(path):
    """In the course folder, but not in the virtualenv (which lives there on this machine)."""
    return _inside(path, ROOT) and not _inside(path, sys.prefix)


def run_as_student(folder, nb, timeout=300):
    """Execute `nb` in `folder` with a student's environment; returns (executed nb, seconds)."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    start = time.perf_counter()
    client.execute(env=student_env(), cwd=str(folder))
    return nb, time.perf_counter() - start


def _outputs(nb):
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_runs_alone_outside_the_course(assignment, tmp_path):
    import json

    folder = tmp_path / "student" / assignment
    shutil.copytree(ROOT / "release" / assignment, folder)
    modules = [pathlib.PurePath(name).stem for name in table.load(assignment).ships]
    out = ""
    for name in table.load(assignment).notebook_files:   # every notebook, in order, as a student would
        nb = sb.build(folder / name, code_answers(assignment), others=True)
        nb.cells.append(nbformat.v4.new_code_cell(PROBE % (modules,)))
        nb, seconds = run_as_student(folder, nb)      # raises CellExecutionError on any error
        print(f"\n[{assignment}] {name} run alone as a student: {seconds:.1f} s")
        out += _outputs(nb)
        assert seconds < 150, f"{assignment}/{name}: {seconds:.0f} s"
    imported = set()
    for line in out.splitlines():
        if not line.startswith("STANDALONE-PROBE "):
            continue
        probe = json.loads(line[len("STANDALONE-PROBE "):])
        # the kernel saw nothing of the course (./data, the stand-in folder, is a namespace package)
        assert not any(_in_course(p) for p in probe["sys_path"]), probe["sys_path"]
        for name, where in probe["course_packages"].items():
            assert not any(_in_course(p) for p in where or []), (name, where)
        for name, path in probe["modules"].items():   # a notebook need not import every shipped module
            if path is not None:
                assert pathlib.Path(path).resolve().parent == folder.resolve(), (name, path)
                imported.add(name)
    assert imported == set(modules), f"shipped modules no notebook imports: {set(modules) - imported}"
    assert "STAND-IN" in out, "the notebook must say which data it uses"
    # a stand-in that lives on disk was built beside the notebook, as on a student's machine (one
    # taken in memory from a package, e.g. scikit-learn's digits, builds nothing)
    builders = [m for m in modules if (ROOT / "data" / f"{m}.py").exists()
                and hasattr(importlib.import_module(f"data.{m}"), "build_standin")]
    built = [p for p in (folder / "data").rglob("*") if p.is_file()]
    assert built or not builders, "no stand-in built in ./data"


# ---------------------------------------------------------------------------------------------
# The instructor's loader wins at autograde
# ---------------------------------------------------------------------------------------------

def test_autograde_restores_instructors_loader(tmp_path):
    """A student who deleted or edited the shipped loader is graded with the instructor's copy
    (nbgrader's Autograde copies every non-notebook file of source/<a>/ over the submission)."""
    assignment = END_TO_END
    loader = table.load(assignment).ships[0]
    start = time.perf_counter()
    course = make_course(tmp_path, assignment)
    nbgrader(course, "generate_assignment", assignment, "--force")
    release = course / "release" / assignment
    answers = code_answers(assignment)
    for student, tamper in (("deleted", None), ("edited", "raise ImportError('tampered loader')\n")):
        sub = course / "submitted" / student / assignment
        sb.write(sb.build(release / notebook_name(assignment), answers), sub / notebook_name(assignment))
        if tamper:
            (sub / loader).write_text(tamper)
    nbgrader(course, "autograde", assignment)
    scores, units = course_tool.score_table(assignment, root=course)
    original = (ROOT / "data" / loader).read_bytes()
    for student in ("deleted", "edited"):
        assert (course / "autograded" / student / assignment / loader).read_bytes() == original
        for unit in table.load(assignment).autograded_units:
            got, top = scores[student][unit.id]
            assert got == top, (student, unit.id, got, top)
    print(f"\n[{assignment}] autograde with a deleted and an edited loader: "
          f"{time.perf_counter() - start:.1f} s")


# ---------------------------------------------------------------------------------------------
# The whole way, through an exchange
# ---------------------------------------------------------------------------------------------

def student_nbgrader(folder, *args):
    """nbgrader run by the student in their own folder (no course config, no course env)."""
    proc = subprocess.run([str(pathlib.Path(sys.executable).parent / "nbgrader"), *args], cwd=folder,
                          capture_output=True, text=True, env=student_env(), timeout=600)
    if proc.returncode != 0:
        raise AssertionError(f"student: nbgrader {' '.join(args)} failed:\n"
                             f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def test_end_to_end_through_an_exchange(tmp_path):
    from nbgrader.utils import get_username

    assignment = END_TO_END
    start = time.perf_counter()
    course = make_course(tmp_path / "instructor", assignment)
    course_id = "dl-recurrent-coursework"
    assert f'course_id = "{course_id}"' in (course / "nbgrader_config.py").read_text()
    exchange = tmp_path / "exchange"
    exchange.mkdir(mode=0o777)
    os.chmod(exchange, 0o777)
    home = tmp_path / "student_home"
    home.mkdir()
    ex = [f"--Exchange.root={exchange}", "--Exchange.path_includes_course=False"]
    student = [*ex, f"--course={course_id}", f"--CourseDirectory.root={home}",
               f"--Exchange.cache={tmp_path / 'student_cache'}"]

    nbgrader(course, "generate_assignment", assignment, "--force")
    nbgrader(course, "release_assignment", assignment, "--force", *ex)
    student_nbgrader(home, "fetch_assignment", assignment, *student)
    fetched = home / assignment
    assert sorted(p.name for p in fetched.iterdir()) == sorted(
        p.name for p in (ROOT / "release" / assignment).iterdir())

    nb = sb.build(fetched / notebook_name(assignment), code_answers(assignment))
    nb, seconds = run_as_student(fetched, nb)      # the student runs it before submitting
    sb.write(nb, fetched / notebook_name(assignment))
    student_nbgrader(home, "submit", assignment, *student)

    nbgrader(course, "collect", assignment, *ex)
    me = get_username()
    submitted = course / "submitted" / me / assignment
    assert (submitted / notebook_name(assignment)).is_file()
    nbgrader(course, "autograde", assignment)
    graded = course / "autograded" / me / assignment
    # the kernel read the course's data (COURSE_DATA_DIR): no data/ of the student's reaches it
    assert (fetched / "data").is_dir() and not (graded / "data").exists()
    printed = _outputs(nbformat.read(graded / notebook_name(assignment), 4))
    # the loader names the data folder it used: the course's (a link in this throwaway course)
    assert str(course / "data") in printed or str((course / "data").resolve()) in printed, printed
    assert str(fetched) not in printed
    nbgrader(course, "generate_feedback", assignment, "--force")
    nbgrader(course, "release_feedback", assignment, *ex)
    student_nbgrader(home, "fetch_feedback", assignment, *student)

    html = list((fetched / "feedback").glob(f"*/{pathlib.Path(notebook_name(assignment)).stem}.html"))
    assert html, f"no feedback fetched under {fetched / 'feedback'}"
    assert "BEGIN HIDDEN TESTS" not in html[0].read_text()
    scores, units = course_tool.score_table(assignment, root=course)
    for unit in table.load(assignment).code_units:
        got, top = scores[me][unit.id]
        assert top > 0 and got == top, (unit.id, got, top)
    print(f"\n[{assignment}] exchange end to end: {time.perf_counter() - start:.1f} s "
          f"(student's own run {seconds:.1f} s)")
