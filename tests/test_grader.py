"""Every assignment's grader, in-process (fast), read from its unit table (SPEC 3, 6):
- the source notebooks, their paired scripts and the unit table agree;
- the instructor's solutions pass every hidden test (source/ and reference/ do not drift);
- every corpus file: wrong ones fail at least one hidden test, correct ones pass all, and every
  message is student-facing (no grader internals, paths or tracebacks);
- an unanswered cell or a syntax error says so.
(The same corpus runs through real nbgrader in test_pipeline.py.)
"""
import contextlib
import io
import pathlib
import re
import subprocess
import sys

import pytest

from conftest import ROOT, assert_student_facing, solutions, verdicts
from grader_tests.framework.judging import checks
from grader_tests.framework.pipeline import submission_builder as sb
from grader_tests.framework.contract import table

ASSIGNMENTS = table.assignments(ROOT)


def test_notebooks_agree_with_scripts_and_tables():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "notebooks.py"), "check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_table_matches_notebooks(assignment):
    """Every graded cell of the notebooks is a table row or one of its test cells, and back."""
    t = table.load(assignment)
    ids = set()
    for name in t.notebook_files:
        nb = sb.build(ROOT / "source" / assignment / name, {})
        ids |= {sb.grade_id(c) for c in nb.cells
                if c.get("metadata", {}).get("nbgrader", {}).get("grade")
                or c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    expected = {u.id for u in t.units} | set(t.test_cells())
    assert ids == expected


SOLUTION_CASES = [(a, u.id, aspect) for a in ASSIGNMENTS for u in table.load(a).autograded_units
                  for aspect in u.hidden_aspects]


@pytest.mark.parametrize("assignment, unit, aspect", SOLUTION_CASES)
def test_source_solutions_pass_every_hidden_test(assignment, unit, aspect, tmp_path):
    # files a unit reads (a checkpoint) are the solution's, submitted beside the notebook
    for name, path in sb.example_files(assignment, "solution").items():
        (tmp_path / name).write_bytes(pathlib.Path(path).read_bytes())
    with contextlib.redirect_stdout(io.StringIO()):
        verdict, _ = checks.outcome(assignment, unit, aspect, solutions(assignment)[unit],
                                    submission_dir=tmp_path)
    assert verdict.passed, verdict.message
    if verdict.score is not None:   # a scored test: the solution earns full points
        assert verdict.score == 1, verdict.message


CORPUS = [(a, u.id, path, verdict) for a in ASSIGNMENTS for u in sb.corpus_units(a)
          for path, verdict, _ in sb.corpus_files(a, u.id)]


@pytest.mark.parametrize("assignment, unit, path, verdict", CORPUS,
                         ids=[f"{a}/{u}/{p.stem}" for a, u, p, _ in CORPUS])
def test_corpus_verdicts_in_process(assignment, unit, path, verdict):
    text = path.read_text()
    assert text.startswith(f"# corpus: {unit}\n# verdict: {verdict}\n# bug: ")
    failed = {a: m for a, m in verdicts(assignment, unit, text).items() if m}
    if verdict == "correct":
        assert not failed, failed
    else:
        assert failed, f"{path.name} passes every hidden test"
        for message in failed.values():
            assert_student_facing(message)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_corpus_size(assignment):
    for unit in sb.corpus_units(assignment):
        if unit.submitted_files:   # graded on a submitted file: its cases are in test_challenge.py
            continue
        files = sb.corpus_files(assignment, unit.id)
        assert sum(v == "wrong" for _, v, _ in files) >= 8, unit.id
        assert sum(v == "correct" for _, v, _ in files) >= 2, unit.id


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_unanswered_cell_and_syntax_error_say_so(assignment):
    for unit in table.load(assignment).code_units:
        stub = "".join(   # every name the cell defines, as the release leaves it
            f"class {name}:\n    def __init__(self, *args, **kwargs):\n        raise NotImplementedError()\n"
            if name[0].isupper() else
            f"def {name}(*args, **kwargs):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
            for name in unit.defines)
        for aspect, message in verdicts(assignment, unit.id, stub).items():
            assert message and re.search("not been answered yet", message), (unit.id, aspect, message)
        broken = f"def {unit.defines[0]}(x:\n    pass\n"
        for aspect, message in verdicts(assignment, unit.id, broken).items():
            assert message and "syntax error" in message, (unit.id, aspect, message)
