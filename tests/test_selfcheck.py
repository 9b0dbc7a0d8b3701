"""The self-check a student runs at home (handouts/selfcheck.py, shipped in every release): with
nothing but the release folder, outside the course, it prints one line per unit: not answered
yet, answered with its visible tests passing, or the first visible test that fails and why; the
points at stake; and that hidden tests decide. Checked on every release, unanswered, fully
answered (the instructor's answers) and half answered with one broken answer.
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from grader_tests.framework.contract import table
from grader_tests.framework.pipeline import submission_builder as sb

sys.path.insert(0, str(ROOT / "handouts"))
import selfcheck  # noqa: E402

ASSIGNMENTS = table.assignments(ROOT)
COURSE_ENV = ("PYTHONPATH", "COURSE_DATA_DIR", "COURSE_ROOT", "NBGRADER_EXECUTION", "NBGRADER_VALIDATING")


def student_env(**extra):
    """A student's machine: nothing that points into the course."""
    env = {k: v for k, v in os.environ.items() if k not in COURSE_ENV and not k.startswith("JPY_")}
    return {**env, "MPLBACKEND": "Agg", **extra}


def run_selfcheck(folder, *notebooks, **env):
    proc = subprocess.run([sys.executable, "selfcheck.py", *notebooks], cwd=folder, capture_output=True,
                          text=True, env=student_env(**env), timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def unit_lines(out, notebook):
    """{unit: its line} of one notebook's report in `out`."""
    block = out.split(f"Self-check of {notebook} ")[1].split("\nSelf-check of ")[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"^  \[.\] (\S+) .*$", block, re.M)}, block


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_selfcheck_outside_the_course(assignment, tmp_path):
    folder = tmp_path / "home" / assignment
    shutil.copytree(ROOT / "release" / assignment, folder)
    assignment_table = table.load(assignment)
    every = sb.assignment_solutions(ROOT, assignment)
    code = [u.id for u in assignment_table.code_units]
    broken = code[0]
    half = {u.id: every[u.id] for k, u in enumerate(assignment_table.units) if k % 2 == 1}
    half[broken] = "raise ValueError('my own bug')\n"
    names = []
    for name in assignment_table.notebook_files:
        stem = pathlib.Path(name).stem
        sb.write(sb.build(folder / name, every, others=True), folder / f"{stem}_answered.ipynb")
        sb.write(sb.build(folder / name, half, others=True), folder / f"{stem}_half.ipynb")
        names += [name, f"{stem}_answered.ipynb", f"{stem}_half.ipynb"]
    start = time.perf_counter()
    out = run_selfcheck(folder, *names)
    seconds = time.perf_counter() - start
    print(f"\n[{assignment}] self-check of {len(names)} notebooks: {seconds:.1f} s\n{out}")
    for name in assignment_table.notebook_files:
        stem = pathlib.Path(name).stem
        units = [u for u in assignment_table.units if assignment_table.notebook_of(u) == name]
        blank, text = unit_lines(out, name)
        assert sorted(blank) == sorted(u.id for u in units), text
        assert all("not answered yet" in line for line in blank.values()), text
        assert "Hidden tests decide your points" in text
        answered, text = unit_lines(out, f"{stem}_answered.ipynb")
        for unit in units:
            line = answered[unit.id]
            assert f"{unit.total_points:g} pts" in line, line
            if unit.kind == table.MANUAL:
                assert "written answer given (a TA grades it)" in line, line
            else:
                assert re.search(r"\] \S+ .* answered; (visible tests pass|no visible test)", line), line
        partial, text = unit_lines(out, f"{stem}_half.ipynb")
        for unit in units:
            line = partial[unit.id]
            if unit.id == broken:
                assert "your answer cell raises ValueError: my own bug" in line, line
            elif unit.id not in half:
                assert "not answered yet" in line, line
            elif unit.kind == table.MANUAL:
                assert "written answer given" in line, line
            else:      # answered: passes, or names the answer cell its visible test needs
                assert "visible tests pass" in line or "no visible test" in line or re.search(
                    r"its visible test uses \w+.*, which (is not answered yet|does not run)|"
                    r"answer cells above that do not run: .*\b(" + broken + r"|\w+)\b", line), line
    assert seconds < 60 * len(assignment_table.notebook_files), f"{seconds:.0f} s"


def test_failing_visible_test_is_named_with_its_message(tmp_path):
    folder = tmp_path / "sparse_autoencoder"
    shutil.copytree(ROOT / "release" / "sparse_autoencoder", folder)
    nb = sb.build(folder / "sparse_autoencoder.ipynb", {"preprocess": "def preprocess(data):\n    return data\n"})
    sb.write(nb, folder / "mine.ipynb")
    lines, text = unit_lines(run_selfcheck(folder, "mine.ipynb"), "mine.ipynb")
    assert lines["preprocess"].endswith("answered; visible test test_preprocess fails: AssertionError: "
                                        "expected shape (5, 16, 16), got (5, 3, 16, 16)"), text
    assert "1 of 5 units answered (4 of 24 points at stake), 1 of them with a failing visible test" in text


def test_selfcheck_stays_out_of_grading_and_knows_the_stub(tmp_path):
    """Under nbgrader (autograde, validate) the notebook's self-check cell does nothing; the
    release's code stub is the one the self-check (and the grader) read as "not answered"."""
    from grader_tests.framework.pipeline.structure import CODE_STUB
    folder = tmp_path / "recurrent_cells"
    shutil.copytree(ROOT / "release" / "recurrent_cells", folder)
    out = run_selfcheck(folder, NBGRADER_EXECUTION="autograde")
    assert out.strip() == "Self-check skipped: nbgrader is running this notebook."
    assert selfcheck.STUB_MESSAGE in CODE_STUB
    text = (folder / "recurrent_cells.ipynb").read_text()
    assert selfcheck.STUB_MESSAGE in text and "raise NotImplementedError()" not in text
    assert (ROOT / "handouts" / "selfcheck.py").read_bytes() == (folder / "selfcheck.py").read_bytes()
