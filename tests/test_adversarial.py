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
