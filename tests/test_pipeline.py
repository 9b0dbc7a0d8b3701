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
import sys

import pytest

from conftest import ROOT, nbgrader

sys.path.insert(0, str(ROOT / "tools"))
import course as course_tool  # noqa: E402
from grader_tests import submission_builder as sb  # noqa: E402

import importlib

ASSIGNMENTS = {
    # assignment: (units autograded besides the code units, needles no release may contain)
    "recurrent_cells": (("model_identification",),
                        ["MODEL_IDENTIFICATION", "check_lstm_cell", "chunk(4, dim=1)",
                         "(1 - z) * n + z * hx"]),
    # (rng.permutation(N) is named in the task text itself, so it is no solution marker)
    "sparse_autoencoder": ((), ["delta_out @ W2.T", "0.5 + 0.4 * gray / limit", "check_ae_cost"]),
}


def unit_points(assignment):
    grader = importlib.import_module(f"grader_tests.{assignment}")
    return getattr(grader, "UNIT_POINTS", None) or {u: 7 for u in grader.CODE_UNITS}


def corpus_rows(assignment):
    units = list(unit_points(assignment))
    files = {u: sb.corpus_files(assignment, u) for u in units}
    n = max(len(v) for v in files.values())
    return [{u: files[u][k] if k < len(files[u]) else None for u in units} for k in range(n)]


@pytest.fixture(scope="module", params=list(ASSIGNMENTS))
def graded(request, tmp_path_factory):
    from conftest import make_course
    assignment = request.param
    code_units = list(unit_points(assignment))
    course = make_course(tmp_path_factory.mktemp(assignment), assignment)
    nbgrader(course, "generate_assignment", assignment, "--force")
    release = course / "release" / assignment / f"{assignment}.ipynb"
    every = sb.solutions(course / "source" / assignment / f"{assignment}.ipynb")
    # code answers only: the written answers' model answers would (rightly) trip the leak check
    solution = {u: every[u] for u in code_units + list(ASSIGNMENTS[assignment][0])}
    expected = {"solution": {u: True for u in code_units}, "blank": {u: False for u in code_units}}
    sb.write(sb.build(release, solution), course / "submitted" / "solution" / assignment / release.name)
    sb.write(sb.build(release, {}), course / "submitted" / "blank" / assignment / release.name)
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
        sb.write(sb.build(release, answers), course / "submitted" / student / assignment / release.name)
    status = course_tool.autograde(assignment, jobs=2, root=course)
    nbgrader(course, "generate_feedback", assignment, "--force")
    table, _ = course_tool.score_table(assignment, root=course)
    return {"assignment": assignment, "course": course, "status": status, "table": table,
            "expected": expected, "rows": rows, "points": unit_points(assignment)}


def test_committed_release_is_not_stale(graded):
    a = graded["assignment"]
    fresh = json.loads((graded["course"] / "release" / a / f"{a}.ipynb").read_text())
    committed = json.loads((ROOT / "release" / a / f"{a}.ipynb").read_text())
    assert fresh == committed, "release/ is stale: run `make release` and commit it"


def test_run_completes(graded):
    assert graded["status"] == 0
    assert set(graded["table"]) == set(graded["expected"])


def test_solution_full_and_blank_zero(graded):
    table = graded["table"]
    for unit in list(graded["points"]) + list(ASSIGNMENTS[graded["assignment"]][0]):
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
        for unit in ASSIGNMENTS[graded["assignment"]][0]:
            got, top = table[student][unit]
            assert got == top, f"{student}: unrelated unit {unit} lost points"
    print(f"\n{graded['assignment']} corpus through nbgrader:", json.dumps(summary, indent=1))
    assert not failures, "\n".join(failures)


FORBIDDEN_IN_FEEDBACK = [
    "BEGIN HIDDEN TESTS", "check_lstm_cell", "check_rnn_model", "check_model_identification(",
    "check_ae_cost", "check_train_autoencoder", "ae_cost_torch", "_grader_recording",
    "Traceback (most recent call last)", "grader_tests/", "reference/", "recurrent_cells.py",
    "sparse_autoencoder.py", "BEGIN SOLUTION", "Model answer", "Rubric", "site-packages",
]


def test_feedback_hides_grader(graded):
    course, a = graded["course"], graded["assignment"]
    reports = sorted((course / "feedback").glob(f"*/{a}/*.html"))
    assert len(reports) == len(graded["expected"])
    for report in reports:
        text = report.read_text()
        for needle in FORBIDDEN_IN_FEEDBACK + [str(course), str(ROOT)]:
            assert needle not in text, f"{report.parent.parent.name}'s feedback shows {needle!r}"
    # a failing hidden test explains itself in a sentence or two
    text = (course / "feedback" / "blank" / a / f"{a}.html").read_text()
    assert "GradingFailure" in text or "Hidden test failed" in text
    assert "not been answered yet" in text


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_release_hygiene(assignment):
    nb = json.loads((ROOT / "release" / assignment / f"{assignment}.ipynb").read_text())
    text = json.dumps(nb)
    for needle in ["BEGIN SOLUTION", "BEGIN HIDDEN", "Model answer", "Rubric"] + ASSIGNMENTS[assignment][1]:
        assert needle not in text, f"release notebook contains {needle!r}"
    for cell in nb["cells"]:
        assert not cell.get("outputs"), "release notebook carries outputs"
