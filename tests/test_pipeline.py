"""Each assignment's grader through the real nbgrader pipeline (SPEC 6), on a throwaway course.

One run: generate_assignment, then autograde of the solution, the blank release and one
submission per corpus row (units are isolated, so row k carries the k-th corpus variant of every
unit), then generate_feedback. Asserted:
- the committed release is what generate_assignment produces (not stale);
- the solution scores full points, the blank release 0, and the run does not abort;
- every wrong corpus file loses points on its own unit and every correct one keeps them all,
  whatever the other units of its submission carry (so no unit's points depend on another's);
- feedback shows no hidden-test source, grader path, traceback or answer key.
"""
import json
import pathlib
import re
import sys

import pytest

from conftest import ROOT, nbgrader

sys.path.insert(0, str(ROOT / "tools"))
import course as course_tool  # noqa: E402
from grader_tests.framework import submission_builder as sb  # noqa: E402
from grader_tests.framework import table  # noqa: E402

ASSIGNMENTS = table.assignments(ROOT)


def unit_points(assignment):
    """{unit: points} for the units the corpus covers."""
    return {u.id: u.total_points for u in sb.corpus_units(assignment)}


def other_autograded(assignment):
    """Autograded units the corpus does not cover (value answers): always answered right."""
    covered = unit_points(assignment)
    return [u.id for u in table.load(assignment).autograded_units if u.id not in covered]


def corpus_rows(assignment):
    units = list(unit_points(assignment))
    files = {u: sb.corpus_files(assignment, u) for u in units}
    if not any(files.values()):
        return []
    n = max(len(v) for v in files.values())
    return [{u: files[u][k] if k < len(files[u]) else None for u in units} for k in range(n)]


def notebook_name(assignment):
    return table.load(assignment).notebook_files[0]


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory):
    from conftest import make_course
    assignment = request.param
    code_units = list(unit_points(assignment))
    course = make_course(tmp_path_factory.mktemp(assignment), assignment)
    nbgrader(course, "generate_assignment", assignment, "--force")
    release = course / "release" / assignment
    every = sb.assignment_solutions(course, assignment)
    # code answers only: the written answers' model answers would (rightly) trip the leak check
    solution = {u: every[u] for u in code_units + other_autograded(assignment)}
    files = sb.example_files(assignment, "solution")   # e.g. the challenge's checkpoint
    expected = {"solution": {u: True for u in code_units}, "blank": {u: False for u in code_units}}
    sb.write_submission(release, solution, course / "submitted" / "solution" / assignment, files)
    sb.write_submission(release, {}, course / "submitted" / "blank" / assignment)
    rows = corpus_rows(assignment)
    for k, row in enumerate(rows):
        answers, verdicts = dict(solution), {}
        for unit, entry in row.items():
            if entry is None:
                verdicts[unit] = True
                continue
            path, verdict, _ = entry
            answers[unit] = path.read_text()
            verdicts[unit] = verdict == "correct"
        student = f"corpus{k:02d}"
        expected[student] = verdicts
        sb.write_submission(release, answers, course / "submitted" / student / assignment, files)
    status = course_tool.autograde(assignment, jobs=2, root=course)
    nbgrader(course, "generate_feedback", assignment, "--force")
    table, _ = course_tool.score_table(assignment, root=course)
    return {"assignment": assignment, "course": course, "status": status, "table": table,
            "expected": expected, "rows": rows, "points": unit_points(assignment)}


def test_committed_release_is_not_stale(graded):
    a = graded["assignment"]
    names = lambda folder: sorted(p.name for p in folder.iterdir() if p.name != "__pycache__")
    assert names(graded["course"] / "release" / a) == names(ROOT / "release" / a), \
        "release/ is stale (files added or removed): run `make release` and commit it"
    for path in sorted((ROOT / "release" / a).iterdir()):
        fresh = graded["course"] / "release" / a / path.name
        assert fresh.exists(), f"release/{a}/{path.name} is not generated any more"
        if path.suffix == ".ipynb":
            assert json.loads(fresh.read_text()) == json.loads(path.read_text()), \
                "release/ is stale: run `make release` and commit it"
        else:
            assert fresh.read_bytes() == path.read_bytes(), f"release/{a}/{path.name} is stale"


def test_run_completes(graded):
    assert graded["status"] == 0
    assert set(graded["table"]) == set(graded["expected"])


def test_solution_full_and_blank_zero(graded):
    table = graded["table"]
    for unit in list(graded["points"]) + other_autograded(graded["assignment"]):
        got, top = table["solution"][unit]
        assert got == top > 0, f"solution loses points on {unit}"
        assert table["blank"][unit][0] == 0, f"blank release scores on {unit}"


def test_corpus_verdicts(graded):
    table, expected = graded["table"], graded["expected"]
    failures, summary = [], {u: {"wrong caught": 0, "wrong": 0, "correct kept": 0, "correct": 0}
                             for u in graded["points"]}
    for k, row in enumerate(graded["rows"]):
        student = f"corpus{k:02d}"
        for unit in graded["points"]:
            got, top = table[student][unit]
            assert top == graded["points"][unit]
            if row[unit] is None:
                if got != top:
                    failures.append(f"{student} {unit}: the solution lost points ({got}/{top}) "
                                    "next to other units' corpus variants")
                continue
            name = row[unit][0].name
            if expected[student][unit]:
                summary[unit]["correct"] += 1
                summary[unit]["correct kept"] += got == top
                if got != top:
                    failures.append(f"{unit}/{name}: correct but scored {got}/{top}")
            else:
                summary[unit]["wrong"] += 1
                summary[unit]["wrong caught"] += got < top
                if got >= top:
                    failures.append(f"{unit}/{name}: wrong but scored {got}/{top}")
        for unit in other_autograded(graded["assignment"]):
            got, top = table[student][unit]
            assert got == top, f"{student}: unrelated unit {unit} lost points"
    print(f"\n{graded['assignment']} corpus through nbgrader:", json.dumps(summary, indent=1))
    assert not failures, "\n".join(failures)


FORBIDDEN_IN_FEEDBACK = [
    "BEGIN HIDDEN TESTS", "from grader_tests", "_grader_recording", "def judge_aspect",
    "Traceback (most recent call last)", "grader_tests/", "reference/", "BEGIN SOLUTION",
    "Model answer", "Rubric", "site-packages",
]


def solution_lines(assignment):
    """Distinctive lines of the instructor's code solutions: none may reach a release or feedback."""
    lines, given = set(), set()
    for name in table.load(assignment).notebook_files:
        source = json.loads((ROOT / "source" / assignment / name).read_text())
        for cell in source["cells"]:
            text = "".join(cell["source"])
            blocks = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, re.S)
            lines |= {ln.strip() for b in blocks if cell["cell_type"] == "code"
                      for ln in b.splitlines() if len(ln.strip()) >= 30}
            outside = re.sub(r"### BEGIN SOLUTION\n.*?### END SOLUTION", "", text, flags=re.S)
            given |= {ln.strip() for ln in outside.splitlines()}
    return lines - given   # a line the given code holds too gives nothing away


def test_feedback_hides_grader(graded):
    course, a = graded["course"], graded["assignment"]
    reports = sorted((course / "feedback").glob(f"*/{a}/*.html"))
    assert len(reports) == len(graded["expected"]) * len(table.load(a).notebook_files)
    solution_files = [f"{a}/{n}" for n in ("judge.py", "probe.py", "units.py", "challenge.py")] + [
        f"{pathlib.Path(n).stem}.py" for n in table.load(a).notebook_files]
    for report in reports:
        text = report.read_text()
        # the blank student's feedback shows the release's cells: no solution line among them
        # (other students' feedback shows their own code, which may share lines with it)
        text_needles = sorted(solution_lines(a)) if report.parent.parent.name == "blank" else []
        for needle in FORBIDDEN_IN_FEEDBACK + solution_files + text_needles + [str(course), str(ROOT)]:
            assert needle not in text, f"{report.parent.parent.name}'s feedback shows {needle!r}"
    # a failing hidden test explains itself in a sentence or two
    text = (course / "feedback" / "blank" / a / notebook_name(a).replace(".ipynb", ".html")).read_text()
    assert "GradingFailure" in text or "Hidden test failed" in text
    assert "not been answered yet" in text


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_hygiene(assignment):
    for name in table.load(assignment).notebook_files:
        nb = json.loads((ROOT / "release" / assignment / name).read_text())
        text = "\n".join("".join(c["source"]) for c in nb["cells"]) + json.dumps(nb["metadata"])
        needles = ["BEGIN SOLUTION", "BEGIN HIDDEN", "Model answer", "Rubric", "from grader_tests",
                   "reference/", "from reference"] + sorted(solution_lines(assignment))
        for needle in needles:
            assert needle not in text, f"release notebook {name} contains {needle!r}"
        for cell in nb["cells"]:
            assert not cell.get("outputs"), "release notebook carries outputs"
    for path in (ROOT / "release" / assignment).rglob("*"):   # the paired script holds solutions
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".txt"):
            text = path.read_text(errors="replace")
            for needle in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Model answer"):
                assert needle not in text, f"release/{assignment}/{path.name} contains {needle!r}"
