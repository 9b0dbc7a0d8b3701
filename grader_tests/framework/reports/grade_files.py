"""Grade files an LMS imports as they are, one set per assignment (written by the class report):

- `reports/<a>/canvas_gradebook.csv`: Canvas's gradebook import (Grades > Import). Canvas's
  importer (lib/gradebook_importer.rb in canvas-lms) reads a header row whose first columns are
  `Student`, `ID`, then `SIS User ID`, `SIS Login ID` and `Section` (the last student column),
  then one column per assignment, matched to an existing assignment by its title (or "Title
  (id)"), else created; a second row starting with `Points Possible` gives each assignment's
  points. A student row is matched by `ID` (Canvas's user id), else by SIS User ID or SIS Login
  ID, else by name. An empty cell (or `-`) is no score: Canvas leaves that student's grade as it
  is. So a student whose written answers still await a TA, or who was not graded, gets an empty
  cell, never a total that silently leaves points out.
- `reports/<a>/moodle_grades.csv`: Moodle's "Import grades: CSV file" (gradeimport_csv). Moodle
  asks which column identifies the user ("Map from") and against which user field ("Map to":
  email address, username, ID number or user id); each other column is mapped to a grade item (or
  a new one) or to "Feedback for" an item, or ignored. An empty cell or `-` is "no grade"; a user
  Moodle cannot find aborts the whole import, so every row carries the roster's identifiers.
  Columns: `Email address`, `Username`, `ID number`, `First name`, `Last name`, the grade item
  (the assignment's name) and `Feedback` (why a grade is missing, a late penalty).
- `reports/<a>/lms_export.csv`: per-unit points (one column per unit, numbers, empty while a
  written answer awaits its TA grade), then `points` (graded so far), `pending` (points awaiting
  a TA), `late penalty` when the term's late policy applies, `total` (empty while anything is
  pending) and `status`.

Students are identified from the roster `roster.csv` at the course root (`ROSTER_COLUMNS`:
`nbgrader db student import roster.csv` reads the first five, the LMS files all of them). A
graded student missing from the roster is still written (identified by the course id alone) and
named in the warnings the report prints, never dropped.
"""
import csv
import pathlib

ROSTER = "roster.csv"
ROSTER_COLUMNS = ("id", "first_name", "last_name", "email", "lms_user_id", "sis_login_id", "section")
CANVAS_FILE = "canvas_gradebook.csv"
MOODLE_FILE = "moodle_grades.csv"
UNITS_FILE = "lms_export.csv"
CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_USER_COLUMNS = ["Email address", "Username", "ID number", "First name", "Last name"]


def _points(x):
    from grader_tests.framework.reports.class_report import format_points
    return "" if x is None else format_points(x)


def read_roster(root):
    """{student id: {column: value}} from `roster.csv` at the course root, in the file's order
    ({} without one). Unknown columns are kept; missing ones read as empty."""
    path = pathlib.Path(root) / ROSTER
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    roster = {}
    for row in rows:
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if row.get("id"):
            roster[row["id"]] = {**{c: "" for c in ROSTER_COLUMNS}, **row}
    return roster


def _students(data, roster):
    """Everyone the files list: the roster's students in its order, then graded students the
    roster lacks."""
    return list(roster) + sorted(s for s in data.submissions if s not in roster)


def _state(data, student):
    """(the assignment's points to import or None, why there are none or a note, pending points)."""
    sub = data.submissions.get(student)
    if sub is None:
        return None, "no submission", 0.0
    if not sub.graded:
        return None, f"not graded: {sub.not_graded_reason or 'see the class report'}", 0.0
    note = f"late penalty {_points(sub.penalty)} points included" if sub.penalty else ""
    if sub.pending:
        graded = f"{_points(sub.so_far)} of {_points(sub.total[1])} graded points"
        return None, f"pending: {_points(sub.pending)} points of written answers awaiting a TA's grade ({graded} so far)", sub.pending
    return sub.final, note, 0.0


def canvas_rows(data, roster):
    """The Canvas gradebook import (module docstring): header, Points Possible, one row per student."""
    rows = [CANVAS_STUDENT_COLUMNS + [data.assignment],
            ["Points Possible", "", "", "", "", _points(data.max_points)]]
    for student in _students(data, roster):
        person = roster.get(student, {})
        name = (f"{person.get('last_name', '')}, {person.get('first_name', '')}"
                if person.get("last_name") or person.get("first_name") else student)
        points, _, _ = _state(data, student)
        rows.append([name, person.get("lms_user_id", ""), student, person.get("sis_login_id", ""),
                     person.get("section", ""), _points(points)])
    return rows


def moodle_rows(data, roster):
    """The Moodle grade import (module docstring): user identifiers, the grade item, feedback."""
    rows = [MOODLE_USER_COLUMNS + [data.assignment, "Feedback"]]
    for student in _students(data, roster):
        person = roster.get(student, {})
        points, note, _ = _state(data, student)
        rows.append([person.get("email", ""), person.get("sis_login_id", "") or student, student,
                     person.get("first_name", ""), person.get("last_name", ""), _points(points), note])
    return rows


def unit_rows(data):
    """The per-unit CSV (module docstring): numbers only, pending marked in its own columns."""
    units = [u.id for u in data.table.units]
    rows = [["student_id"] + units + ["points", "pending", *(["late penalty"] if data.late_policy else []),
                                      "total", "status"]]
    for student, sub in sorted(data.submissions.items()):
        cells = [_points(sub.units[u].score if sub.graded else None) for u in units]
        points, note, pending = _state(data, student)
        status = "complete" + (f" ({note})" if note else "") if points is not None else note
        rows.append([student] + cells + [_points(sub.total[0]) if sub.graded else "", _points(pending),
                                         *([_points(sub.penalty)] if data.late_policy else []),
                                         _points(points), status])
    return rows


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def write_grade_files(root, data, folder):
    """Write the three files of `data`'s assignment into `folder`; returns ({file: path}, warnings)."""
    roster = read_roster(root)
    folder = pathlib.Path(folder)
    paths = {"canvas": folder / CANVAS_FILE, "moodle": folder / MOODLE_FILE, "units": folder / UNITS_FILE}
    write(paths["canvas"], canvas_rows(data, roster))
    write(paths["moodle"], moodle_rows(data, roster))
    write(paths["units"], unit_rows(data))
    warnings = []
    missing = sorted(s for s in data.submissions if s not in roster)
    if missing:
        warnings.append(f"not in {ROSTER} (identified by their course id alone in the LMS files; "
                        f"add them to the roster): {', '.join(missing)}")
    no_email = [s for s in roster if not roster[s].get("email")]
    if roster and no_email:
        warnings.append(f"no email in {ROSTER} (map Moodle's import by Username or ID number): "
                        f"{', '.join(no_email)}")
    pending = [s for s, sub in sorted(data.submissions.items()) if sub.graded and sub.pending]
    if pending:
        warnings.append(f"written answers awaiting a TA, so no total in the LMS files yet: {', '.join(pending)}")
    return paths, warnings
