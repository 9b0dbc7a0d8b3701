"""The adversarial corpus (grader_tests/recurrent_cells/adversarial.py) through real `nbgrader autograde`.

Asserted per case: units it should lose, it loses; every other unit keeps full points (the
verdicts cannot be forged, a crash costs only its unit); the intake outcome is recorded; nothing
from the grader, the reference or the solutions reaches its feedback. Across the run: the
control student's grades and files and the gradebook are untouched.
"""
import hashlib
import json
import sys

import pytest

from conftest import ROOT, course_with_release, nbgrader
from grader_tests.recurrent_cells import adversarial as adv

sys.path.insert(0, str(ROOT / "tools"))
import course as course_tool  # noqa: E402

UNITS = adv.CODE_UNITS + ("model_identification",)
# The hanging case waits out both timeouts; this course sets them shorter than the course's own
# (60 s a cell, 30 s a unit's hidden tests) through nbgrader's config, as an instructor would.
CELL_SECONDS, UNIT_SECONDS = 15, 15
LEAKS = ["def judge_aspect", "MODEL_IDENTIFICATION", "BEGIN HIDDEN TESTS", "BEGIN SOLUTION",
         "Model answer", "def _lstm_variant", "Traceback (most recent call last)", "site-packages"]


def digest(folder):
    h = hashlib.sha256()
    # intake's own marker (.intake_<notebook>.json) is expected; anything else must not change
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".intake_")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    course, release, solutions = course_with_release(tmp_path_factory.mktemp("adversarial"), adv.ASSIGNMENT)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(f"c.Execute.timeout = {CELL_SECONDS}\nc.SubmissionLimits.unit_seconds = {UNIT_SECONDS}\n")
    control = course / "submitted" / "control" / adv.ASSIGNMENT
    adv.build(adv.Case("control"), release, solutions, control)
    for case in adv.CASES:
        adv.build(case, release, solutions, course / "submitted" / case.name / adv.ASSIGNMENT)
    control_digest = digest(control)
    status = course_tool.autograde(adv.ASSIGNMENT, jobs=2, root=course)
    nbgrader(course, "generate_feedback", adv.ASSIGNMENT, "--force")
    table, _ = course_tool.score_table(adv.ASSIGNMENT, root=course)
    intake = json.loads((course / "reports" / f"{adv.ASSIGNMENT}_intake.json").read_text())
    return {"course": course, "status": status, "table": table, "intake": intake,
            "control_digest": control_digest, "control": control}


def test_control_student_untouched(run):
    assert run["status"] == 0, "autograde did not finish cleanly for every submission"
    for unit in UNITS:
        got, top = run["table"]["control"][unit]
        assert got == top > 0, f"the control student lost points on {unit}"
    assert digest(run["control"]) == run["control_digest"], "the control student's files changed"
    assert (run["course"] / "source" / adv.ASSIGNMENT / adv.NOTEBOOK).exists()


@pytest.mark.parametrize("case", adv.CASES, ids=lambda c: c.name)
def test_case(run, case):
    scores = run["table"][case.name]
    outcome = run["intake"][case.name][adv.NOTEBOOK]["outcome"]
    assert outcome == case.intake, f"intake outcome {outcome}, expected {case.intake}"
    for unit in UNITS:
        got, top = scores[unit]
        if case.all_zero:
            assert got == 0, f"{unit}: {got}/{top}"
        elif unit in case.lost:
            assert got < top, f"{unit} kept {got}/{top}"
        else:
            assert got == top, f"{unit} lost points: {got}/{top}"
    feedback = (run["course"] / "feedback" / case.name / adv.ASSIGNMENT / f"{adv.ASSIGNMENT}.html").read_text()
    for leak in LEAKS + [str(run["course"]), str(ROOT)]:
        assert leak not in feedback, f"feedback shows {leak!r}"
    if case.intake != "ok":
        assert "Grading note" in feedback
    assert case.says in feedback, f"the feedback does not say {case.says!r}"


def test_a_hanging_answer_is_stopped_at_the_configured_times(run):
    """The course's config sets the unit's probe time and the cell timeout: the hanging answer's
    hidden tests stop at `unit_seconds` and say so; its visible test cell stops the kernel at the
    cell timeout (its output is then the trusted verdict), and later cells are not run."""
    course = run["course"]
    feedback = (course / "feedback" / "infinite_loop" / adv.ASSIGNMENT / f"{adv.ASSIGNMENT}.html").read_text()
    assert f"did not finish within {UNIT_SECONDS} s when the grader ran it" in feedback
    record = json.loads((course / "reports" / adv.ASSIGNMENT / "runs" / "infinite_loop"
                         / f"{adv.ASSIGNMENT}.json").read_text())
    assert record["probes"]["gru_cell"] == "timeout"
    # the notebook's other cells take a few seconds; the course's own 60 s would be well over this
    assert CELL_SECONDS <= record["timing"]["cells"] < CELL_SECONDS + 30, record["timing"]
    autograded = (course / "autograded" / "infinite_loop" / adv.ASSIGNMENT / adv.NOTEBOOK).read_text()
    assert "not run: the kernel stopped in an earlier cell" in autograded
