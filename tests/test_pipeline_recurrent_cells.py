"""The grader through the real nbgrader pipeline (SPEC 6), on a throwaway course root.

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
from grader_tests import submission_builder as sb  # noqa: E402

ASSIGNMENT = "recurrent_cells"
CODE_UNITS = ["lstm_cell", "gru_cell", "rnn_model", "bidir_model"]
UNIT_POINTS = 7


def corpus_rows():
    files = {u: sb.corpus_files(ASSIGNMENT, u) for u in CODE_UNITS}
    n = max(len(v) for v in files.values())
    return [{u: files[u][k] if k < len(files[u]) else None for u in CODE_UNITS} for k in range(n)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from conftest import make_course
    course = make_course(tmp_path_factory.mktemp("pipeline"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    every = sb.solutions(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    # code answers only: the written answers' model answers would (rightly) trip the leak check
    solution = {u: every[u] for u in CODE_UNITS + ["model_identification"]}
    expected = {"solution": {u: True for u in CODE_UNITS}, "blank": {u: False for u in CODE_UNITS}}
    sb.write(sb.build(release, solution), course / "submitted" / "solution" / ASSIGNMENT / release.name)
    sb.write(sb.build(release, {}), course / "submitted" / "blank" / ASSIGNMENT / release.name)
    for k, row in enumerate(corpus_rows()):
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
        sb.write(sb.build(release, answers), course / "submitted" / student / ASSIGNMENT / release.name)
    status = course_tool.autograde(ASSIGNMENT, jobs=2, root=course)
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    table, _ = course_tool.score_table(ASSIGNMENT, root=course)
    return {"course": course, "status": status, "table": table, "expected": expected,
            "rows": corpus_rows()}


def test_committed_release_is_not_stale(graded):
    fresh = json.loads((graded["course"] / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    committed = json.loads((ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    assert fresh == committed, "release/ is stale: run `make release` and commit it"


def test_run_completes(graded):
    assert graded["status"] == 0
    assert set(graded["table"]) == set(graded["expected"])


def test_solution_full_and_blank_zero(graded):
    table = graded["table"]
    for unit in CODE_UNITS + ["model_identification"]:
        got, top = table["solution"][unit]
        assert got == top > 0, f"solution loses points on {unit}"
        assert table["blank"][unit][0] == 0, f"blank release scores on {unit}"


def test_corpus_verdicts(graded):
    table, expected = graded["table"], graded["expected"]
    failures, summary = [], {u: {"wrong caught": 0, "wrong": 0, "correct kept": 0, "correct": 0}
                             for u in CODE_UNITS}
    for k, row in enumerate(graded["rows"]):
        student = f"corpus{k:02d}"
        for unit in CODE_UNITS:
            got, top = table[student][unit]
            assert top == UNIT_POINTS
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
        assert table[student]["model_identification"][0] == 3, f"{student}: unrelated unit lost points"
    print("\ncorpus through nbgrader:", json.dumps(summary, indent=1))
    assert not failures, "\n".join(failures)


FORBIDDEN_IN_FEEDBACK = [
    "BEGIN HIDDEN TESTS", "check_lstm_cell", "check_rnn_model", "check_model_identification(",
    "Traceback (most recent call last)", "grader_tests/", "reference/", "recurrent_cells.py",
    "BEGIN SOLUTION", "Model answer", "Rubric", "site-packages",
]


def test_feedback_hides_grader(graded):
    course = graded["course"]
    reports = sorted((course / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))
    assert len(reports) == len(graded["expected"])
    for report in reports:
        text = report.read_text()
        for needle in FORBIDDEN_IN_FEEDBACK + [str(course), str(ROOT)]:
            assert needle not in text, f"{report.parent.parent.name}'s feedback shows {needle!r}"
    # a failing hidden test explains itself in a sentence or two
    text = (course / "feedback" / "blank" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Hidden test failed" in text and "has not been answered yet" in text


def test_release_hygiene():
    nb = json.loads((ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    text = json.dumps(nb)
    for needle in ["BEGIN SOLUTION", "BEGIN HIDDEN", "Model answer", "Rubric", "MODEL_IDENTIFICATION",
                   "check_lstm_cell", "chunk(4, dim=1)", "(1 - z) * n + z * hx"]:
        assert needle not in text, f"release notebook contains {needle!r}"
    for cell in nb["cells"]:
        assert not cell.get("outputs"), "release notebook carries outputs"
