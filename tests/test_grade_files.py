"""What leaves the course, checked without nbgrader (fast): the grade files an LMS imports
(grader_tests/framework/reports/grade_files.py) against the formats Canvas and Moodle document
and parse, the score histograms' ticks, the path scrubber and the feedback's error outputs.

Canvas's gradebook import (canvas-lms lib/gradebook_importer.rb): a header whose first cell
holds "Student" and second "ID", then "SIS User ID", "SIS Login ID", and "Section" as the last
student column; then the assignment columns; a row starting "Points Possible"; an empty cell
is no score. Moodle's CSV grade import (grade/import/csv): one column mapped to a user field
(email, username, idnumber or id), the others to grade items or "Feedback for"; an empty cell
is no grade, and a user it cannot find aborts the whole import.
"""
import csv
import json
import pathlib
import sys
import tempfile

import nbformat
import pytest

from conftest import ROOT
from grader_tests.framework.contract import table
from grader_tests.framework.reports import class_report, grade_files

ASSIGNMENT = "recurrent_cells"


def fake_class(tmp_path, penalties=None):
    """A ClassData of recurrent_cells as `collect` returns it: ada graded in full, ben with a
    written answer awaiting a TA, cy not graded, and zed graded but missing from the roster."""
    assignment_table = table.load(ASSIGNMENT)
    units = assignment_table.units

    def submission(student, scores, graded=True, reason=""):
        results = {u.id: class_report.UnitResult(scores.get(u.id, u.total_points) if graded else None,
                                                 u.total_points, []) for u in units}
        return class_report.Submission(student, graded, results, {}, {}, {}, [], 1.0, "run record", [],
                                       reason)
    written = [u.id for u in units if u.kind == table.MANUAL]
    submissions = {
        "ada": submission("ada", {}),
        "ben": submission("ben", {written[0]: None, "lstm_cell": 2.5}),
        "cy": submission("cy", {}, graded=False, reason="autograde failed in this run: kernel died"),
        "zed": submission("zed", {"gru_cell": 0.0}),
    }
    (tmp_path / "roster.csv").write_text(
        "id,first_name,last_name,email,lms_user_id,sis_login_id,section\n"
        "ada,Ada,Lovelace,ada@example.edu,101,alovelace,Lab A\n"
        "ben,Ben,Okafor,ben@example.edu,102,bokafor,Lab B\n"
        "cy,Cy,Young,cy@example.edu,103,cyoung,Lab A\n"
        "dee,Dee,Nosub,dee@example.edu,104,dnosub,Lab B\n")
    if penalties:
        folder = tmp_path / "reports" / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / class_report.LATENESS).write_text(json.dumps(
            {s: {"penalty_points": p, "late_days_used": 1} for s, p in penalties.items()}))
        for student, penalty in penalties.items():
            submissions[student].penalty = penalty
    manual = [u for u in units if u.kind == table.MANUAL]
    return class_report.ClassData(ASSIGNMENT, assignment_table, submissions, manual,
                                  late_policy=bool(penalties))


def read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_canvas_moodle_and_unit_files(tmp_path):
    data = fake_class(tmp_path, penalties={"ada": 2.0})
    top = data.max_points
    paths, warnings = grade_files.write_grade_files(tmp_path, data, tmp_path)

    canvas = read(paths["canvas"])
    header, possible, rows = canvas[0], canvas[1], {r[2]: r for r in canvas[2:]}
    # Canvas's importer: Student, ID, then SIS User ID, SIS Login ID, Section last; then assignments
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert "Student" in header[0] and "ID" in header[1] and "Section" in header[4]
    assert header[5:] == [ASSIGNMENT]
    assert possible[0] == "Points Possible" and possible[1:5] == [""] * 4 and float(possible[5]) == top
    assert rows["ada"] == ["Lovelace, Ada", "101", "ada", "alovelace", "Lab A", class_report.format_points(top - 2)]
    assert rows["ben"][5] == "", "a total with a written answer awaiting a TA must not be imported"
    assert rows["cy"][5] == "" and rows["dee"][5] == ""          # not graded; no submission
    assert rows["zed"][0] == "zed" and rows["zed"][5] == class_report.format_points(top - 7)
    for row in canvas[2:]:
        assert row[5] == "" or float(row[5]) >= 0            # numbers or no score, nothing else

    moodle = read(paths["moodle"])
    assert moodle[0] == ["Email address", "Username", "ID number", "First name", "Last name", ASSIGNMENT, "Feedback"]
    by_id = {r[2]: r for r in moodle[1:]}
    assert by_id["ada"][:2] == ["ada@example.edu", "alovelace"] and float(by_id["ada"][5]) == top - 2
    assert "late penalty 2" in by_id["ada"][6]
    assert by_id["ben"][5] == "" and "awaiting a TA's grade" in by_id["ben"][6] and "pending" in by_id["ben"][6]
    assert by_id["cy"][5] == "" and "not graded" in by_id["cy"][6]
    assert by_id["dee"][6] == "no submission"
    assert all(r[0] for r in moodle[1:] if r[2] != "zed"), "every roster student has an email to map"

    units = read(paths["units"])
    ids = [u.id for u in table.load(ASSIGNMENT).units]
    assert units[0] == ["student_id"] + ids + ["points", "pending", "late penalty", "total", "status"]
    rows = {r[0]: dict(zip(units[0], r)) for r in units[1:]}
    written = next(u.id for u in table.load(ASSIGNMENT).units if u.kind == table.MANUAL)
    assert rows["ben"][written] == "" and float(rows["ben"]["pending"]) > 0 and rows["ben"]["total"] == ""
    assert rows["ben"]["status"].startswith("pending") and rows["ben"]["lstm_cell"] == "2.5"
    assert rows["ada"]["total"] == class_report.format_points(top - 2) and rows["ada"]["late penalty"] == "2"
    for row in units[1:]:
        for name, cell in zip(units[0][1:-1], row[1:-1]):
            assert cell == "" or float(cell) >= 0, (name, cell)   # numbers, never "6/7"
    assert any("zed" in w and "roster" in w for w in warnings)
    assert any("ben" in w and "awaiting a TA" in w for w in warnings)


def test_totals_keep_one_denominator_and_mark_pending(tmp_path):
    data = fake_class(tmp_path)
    stats = class_report.total_statistics(data)
    assert stats["max"] == data.max_points and stats["n"] == 3 and stats["pending_students"] == 1
    ben = data.submissions["ben"]
    assert ben.final is None and ben.pending == next(u.total_points for u in data.manual_units)
    rows = {r["student"]: r for r in class_report.student_table(data)}
    assert "pending" in [text for text, _, _ in rows["ben"]["cells"]]
    assert rows["cy"]["final"] is None and not rows["cy"]["graded"]


@pytest.mark.parametrize("top", [1, 3, 7, 12, 26, 39])
def test_histogram_ticks_are_whole_points(top):
    fig = class_report.histogram_figure([0, 1, top, top], top, "t")
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if low <= t <= high]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
    assert 0 in ticks and (top <= 12) <= (top in ticks)


def test_scrub_removes_real_paths_only():
    from grader_tests.framework.pipeline.nbgrader_plugins import scrub
    hint = "Groups are contiguous blocks of C // G channels (reshape to (N, G, C // G, H, W))."
    for text in (hint, "use a/b, not b/a", "see https://pytorch.org/docs/stable/nn.html",
                 "file:///tmp/x is a URL", "/tmpfoo/x is no temporary folder"):
        assert scrub(text) == text
    for path in (ROOT / "grader_tests" / "convnets" / "judge.py", ROOT / "reference" / "convnets.py",
                 pathlib.Path.home() / "x.py", pathlib.Path("/tmp") / "pytest-1" / "x.py",
                 sys.prefix + "/lib/python3.11/site-packages/torch/nn.py", tempfile.gettempdir()):
        text = f'File "{path}", line 3: ({path})'
        assert scrub(text) == 'File "<path>", line 3: (<path>)', text


def test_sanitize_feedback_shows_each_message_once():
    """A test cell's error is the verdict: its message as it is, with nothing prepended; another
    cell's error is `Name: message`; a bare name says it has no message; a print sent in pieces
    is one output."""
    from nbformat.v4 import new_code_cell, new_output
    from grader_tests.framework.pipeline.nbgrader_plugins import SanitizeFeedback
    test_cell = new_code_cell("", outputs=[new_output(
        "error", ename="Visible test failed", evalue="The visible test failed: AssertionError: groups "
        "of C // G channels", traceback=["\x1b[31mTraceback ...", f'  File "{ROOT}/grader_tests/x.py"'])])
    test_cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "test_x", "points": 1}
    own = new_code_cell("", outputs=[new_output("error", ename="ValueError", evalue=f"bad {ROOT}/x.npy",
                                                traceback=["..."]),
                                     new_output("error", ename="AssertionError", evalue="", traceback=[]),
                                     new_output("stream", name="stdout", text="one line"),
                                     new_output("stream", name="stdout", text="\n")])
    nb = nbformat.v4.new_notebook(cells=[test_cell, own])
    SanitizeFeedback().preprocess(nb, {})
    assert test_cell.outputs[0].traceback == ["The visible test failed: AssertionError: groups of C // G channels"]
    assert own.outputs[0].traceback == ["ValueError: bad <path>"]
    assert own.outputs[1].traceback == ["AssertionError (raised without a message)"]
    assert [o.get("text") for o in own.outputs[2:]] == ["one line\n"]        # one print, one box
    from grader_tests.framework.reports.grading_views import BARE_FAILURE, readable
    assert readable("AssertionError:") == BARE_FAILURE and readable("AssertionError") == BARE_FAILURE
    assert readable("h_next differs from the expected value") == "h_next differs from the expected value."
