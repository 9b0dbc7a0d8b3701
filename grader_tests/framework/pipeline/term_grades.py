"""The term applied to the grades: due dates and extensions into nbgrader's gradebook, the late
policy's penalties into nbgrader's own penalty field, and what every report shows about it.

- `sync_gradebook`: each assignment's due date (the formgrader shows it), the roster's students
  (names, emails, LMS ids), each extension of the term file as nbgrader's per-submission
  extension (`Gradebook.grant_extension`), so nbgrader's own `total_seconds_late` agrees.
- `apply` (run by `tools/course.py autograde`, `serve` and `term`): per student, the graded
  submission of every assignment with its lateness, the free late days spent where they save the
  most points over the whole term (term.allocate), and the penalty written as the notebooks'
  `late_submission_penalty` (nbgrader's field: its feedback header and the formgrader subtract
  it). Nothing else of a grade is touched, and nothing is regraded: a changed term file (an
  extension granted) only recomputes this. Writes `reports/<a>/lateness.json`
  ({student: record}, the fields of `term.lateness`), `reports/late_days.json` (the spending
  chosen, per student) and `reports/term_grades.csv` (one row per student and assignment:
  score, lateness, penalty, final points).
- `TermLatePenalty`: the same penalty through nbgrader's late-penalty plugin
  (`c.AssignLatePenalties.plugin_class`), so plain `nbgrader autograde` applies the policy too;
  `apply` then settles every assignment of the term at once (a late day may move to the
  assignment where it saves more).
- `LatenessNote`: a feedback preprocessor that opens the page with when the graded submission
  came, its due date, how late it was, the late days used and left, and the penalty.
"""
import csv
import datetime
import html
import io
import json
import os
import pathlib

from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import NbGraderPreprocessor
from nbformat.v4 import new_markdown_cell

from grader_tests.framework.pipeline import term as term_file

ROSTER = "roster.csv"
ROSTER_COLUMNS = ("id", "first_name", "last_name", "email", "lms_user_id", "sis_login_id", "section")
LATENESS = "lateness.json"
LATE_DAYS = "late_days.json"
TERM_GRADES = "term_grades.csv"
NOTE_MARK = "course-lateness-note"
UTC = datetime.timezone.utc


def read_roster(root):
    """{student id: row} from the course's roster.csv (empty without one)."""
    path = pathlib.Path(root) / ROSTER
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return {row["id"].strip(): {k: (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(fh) if (row.get("id") or "").strip()}


def write_atomically(path, text):
    """Write `text` to `path` whole: a reader (or a crash) never sees half a file."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    with open(partial, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, path)


def _utc_naive(moment):
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(naive_utc):
    return None if naive_utc is None else naive_utc.replace(tzinfo=UTC)


def sync_gradebook(gb, term, roster):
    """Due dates, students and extensions from the term file and roster into the gradebook."""
    from nbgrader.api import MissingEntry
    for assignment, due in term.due.items():
        gb.update_or_create_assignment(assignment, duedate=_utc_naive(due))
    for student, row in roster.items():
        gb.update_or_create_student(student, first_name=row.get("first_name") or None,
                                    last_name=row.get("last_name") or None,
                                    email=row.get("email") or None,
                                    lms_user_id=row.get("lms_user_id") or None)
    for assignment in gb.assignments:
        for submission in gb.assignment_submissions(assignment.name):
            hours = term.extension_hours(assignment.name, submission.student_id)
            wanted = datetime.timedelta(hours=hours) if hours else None
            if submission.extension != wanted:
                try:
                    gb.grant_extension(assignment.name, submission.student_id, hours=hours)
                except MissingEntry:
                    pass


def _submission_counts(root):
    """{(student, assignment): submissions received} from serve's state, when it has one."""
    path = pathlib.Path(root) / "reports" / "serve_state.json"
    if not path.exists():
        return {}
    counts = {}
    for record in json.loads(path.read_text()).get("submissions", {}).values():
        key = (record["student"], record["assignment"])
        counts[key] = counts.get(key, 0) + 1
    return counts


def student_records(gb, term, root=None, students=None):
    """{student: {assignment: lateness record}} for every graded submission in the gradebook
    (`students`: only those), with the free late days spent across the whole term."""
    counts = _submission_counts(root) if root else {}
    by_student = {}
    for assignment in gb.assignments:
        for submission in gb.assignment_submissions(assignment.name):
            if students is not None and submission.student_id not in students:
                continue
            by_student.setdefault(submission.student_id, {})[assignment.name] = (
                float(submission.score or 0.0), float(assignment.max_score or 0.0),
                _aware(submission.timestamp))
    records = {}
    for student, graded in by_student.items():
        items = {a: (score, top) for a, (score, top, _) in graded.items()}
        submitted = {a: (student, at) for a, (_, _, at) in graded.items()}
        records[student] = term_file.lateness(
            term, items, submitted, {a: counts.get((student, a)) for a in graded})
    return records


def notebook_penalties(notebooks, penalty):
    """{notebook name: its share of an assignment's `penalty`}: taken from the notebooks in name
    order, none more than its own score (nbgrader subtracts penalties per notebook)."""
    shares, left = {}, penalty
    for nb in sorted(notebooks, key=lambda n: n.name):
        share = min(left, max(float(nb.score or 0.0), 0.0))
        shares[nb.name] = share
        left -= share
    return shares


def _write_penalties(gb, records):
    for student, by_assignment in records.items():
        for assignment, record in by_assignment.items():
            submission = gb.find_submission(assignment, student)
            shares = notebook_penalties(submission.notebooks, record["penalty_points"])
            for nb in submission.notebooks:
                wanted = shares[nb.name] or None
                if nb.late_submission_penalty != wanted:
                    nb.late_submission_penalty = wanted
    gb.db.commit()


def course_settings(root, step):
    """The course's nbgrader configuration as nbgrader loads it for `step`, without the
    environment its nbgrader_config.py sets for nbgrader's processes leaking into this one."""
    from grader_tests.framework.pipeline.scheduling import course_config
    saved = dict(os.environ)
    try:
        return course_config(root, step)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def course_gradebook(root, db_url=None):
    """(db_url, course_id) of the course, as its nbgrader_config.py sets them."""
    config = course_settings(root, "term")
    return (db_url or config.CourseDirectory.db_url, config.CourseDirectory.course_id or "default_course")


def sync(root, db_url=None):
    """`sync_gradebook` for the course (before grading: nbgrader's late-penalty step reads the
    gradebook's due dates and extensions)."""
    from nbgrader.api import Gradebook
    db_url, course_id = course_gradebook(root, db_url)
    with Gradebook(db_url, course_id) as gb:
        sync_gradebook(gb, term_file.load(root), read_roster(root))


def read_lateness(root, assignment):
    path = pathlib.Path(root) / "reports" / assignment / LATENESS
    return json.loads(path.read_text()) if path.exists() else {}


def apply(root, db_url=None):
    """Apply the term to the gradebook and write the lateness records (see the module
    docstring). Returns {assignment: {student: (old record or None, new record)}} for every
    record that changed."""
    from nbgrader.api import Gradebook
    root = pathlib.Path(root)
    term = term_file.load(root)
    roster = read_roster(root)
    db_url, course_id = course_gradebook(root, db_url)
    with Gradebook(db_url, course_id) as gb:
        sync_gradebook(gb, term, roster)
        records = student_records(gb, term, root)
        _write_penalties(gb, records)
        scores = {(s.student_id, a.name): (float(s.score or 0.0), float(a.max_score or 0.0))
                  for a in gb.assignments for s in gb.assignment_submissions(a.name)}
        assignments = [a.name for a in gb.assignments]
    changed = {}
    for assignment in assignments:
        new = {s: r[assignment] for s, r in records.items() if assignment in r}
        old = read_lateness(root, assignment)
        diff = {s: (old.get(s), new.get(s)) for s in set(old) | set(new) if old.get(s) != new.get(s)}
        if diff:
            changed[assignment] = diff
        if new or old:
            write_atomically(root / "reports" / assignment / LATENESS,
                             json.dumps(dict(sorted(new.items())), indent=1))
    _write_late_days(root, term, records)
    _write_term_grades(root, term, records, scores)
    return changed


def _write_late_days(root, term, records):
    spent = {}
    for student, by_assignment in sorted(records.items()):
        used = {a: r["late_days_used"] for a, r in by_assignment.items() if r["late_days"]}
        spent[student] = {
            "free_late_days": term.policy.free_late_days,
            "late_days": {a: r["late_days"] for a, r in by_assignment.items() if r["late_days"]},
            "spent": used,
            "left": term.policy.free_late_days - sum(used.values()),
            "how": "spent where they save the most points over the term (exact; ties: fewest "
                   "days, then the earliest assignments)",
        }
    write_atomically(pathlib.Path(root) / "reports" / LATE_DAYS,
                     json.dumps({"term_file": term_file.fingerprint(root), "students": spent}, indent=1))


TERM_GRADE_COLUMNS = ("student", "assignment", "score", "max_score", "penalty_points", "final_points",
                      "submitted_at", "due", "extension_hours", "late_by_hours", "late_days",
                      "late_days_used", "late_days_left", "penalised_days", "penalty_fraction",
                      "graded_submission")


def _write_term_grades(root, term, records, scores):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TERM_GRADE_COLUMNS)
    for student in sorted(records):
        for assignment in term.in_due_order(records[student]):
            record = records[student][assignment]
            score, top = scores[(student, assignment)]
            writer.writerow([student, assignment, f"{score:g}", f"{top:g}", f"{record['penalty_points']:g}",
                             f"{max(score - record['penalty_points'], 0.0):g}"]
                            + [record[c] for c in TERM_GRADE_COLUMNS[6:]])
    write_atomically(pathlib.Path(root) / "reports" / TERM_GRADES, out.getvalue())


# ---------------------------------------------------------------------------------------------
# Inside nbgrader: the penalty plugin and the feedback note
# ---------------------------------------------------------------------------------------------

def _course_root():
    return os.environ.get("COURSE_ROOT") or str(pathlib.Path.cwd())


class TermLatePenalty(LateSubmissionPlugin):
    """nbgrader's late-penalty plugin with the term's policy: this notebook's share of the
    assignment's penalty, the free late days spent across the term as `apply` spends them."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        parent = self.parent          # nbgrader's AssignLatePenalties, its gradebook open
        root = _course_root()
        term = term_file.load(root)
        gb = parent.gradebook
        record = student_records(gb, term, root, students={student_id}).get(
            student_id, {}).get(parent.assignment_id)
        if record is None:
            return None
        submission = gb.find_submission(parent.assignment_id, student_id)
        share = notebook_penalties(submission.notebooks, record["penalty_points"]).get(parent.notebook_id, 0.0)
        return share or None


def _when(iso):
    moment = datetime.datetime.fromisoformat(iso)
    return f"{moment:%a %d %b %Y, %H:%M} (UTC{moment.isoformat()[-6:]})"


def _days(n):
    return f"{n} late day" + ("" if n == 1 else "s")


def describe(record, free_late_days):
    """What a student reads about the lateness of their graded submission (one paragraph)."""
    if record.get("submitted_at") is None:
        return ""
    due = record.get("due")
    parts = [f"Graded: {record['graded_submission']}, submitted {_when(record['submitted_at'])}."]
    if due is None:
        return " ".join(parts)
    extension = record.get("extension_hours") or 0
    parts.append(f"Due {_when(due)}" + (f", with your {extension:g} h extension." if extension else "."))
    if not record["late_days"]:
        parts.append(f"On time. Free late days left after this assignment: {record['late_days_left']} "
                     f"of {free_late_days}.")
        return " ".join(parts)
    parts.append(f"Late by {record['late_by_hours']:.1f} h: {_days(record['late_days'])} "
                 "(every started 24 h counts).")
    if record["late_days_used"]:
        parts.append(f"Free late days spent on it: {record['late_days_used']}; left after this "
                     f"assignment: {record['late_days_left']} of {free_late_days}.")
    else:
        parts.append("No free late day spent on it: they go where they save you the most points over "
                     f"the term (left after this assignment: {record['late_days_left']} of {free_late_days}).")
    if record["penalised_days"]:
        parts.append(f"Penalty for {_days(record['penalised_days'])} not covered by free late days: "
                     f"{record['penalty_fraction']:.0%} of the assignment's points, "
                     f"-{record['penalty_points']:g} points (the score above is after it).")
    else:
        parts.append("No penalty.")
    return " ".join(parts)


class LatenessNote(NbGraderPreprocessor):
    """generate_feedback: a note at the top of the page about the graded submission's lateness
    (computed from the gradebook and the term file as `apply` computes it), and the same record
    and text in `resources["lateness"]` for the page's template."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook
        info = resources.get("nbgrader", {})
        root = _course_root()
        try:
            term = term_file.load(root)
        except term_file.TermFileError as err:
            self.log.warning("lateness note skipped: %s", err)
            return nb, resources
        if info.get("assignment") not in term.due:
            return nb, resources
        with Gradebook(info["db_url"]) as gb:
            record = student_records(gb, term, root, students={info["student"]}).get(
                info["student"], {}).get(info["assignment"])
        text = describe(record, term.policy.free_late_days) if record else ""
        if record:   # for the page's template: resources.lateness (the record and this text)
            resources["lateness"] = {**record, "text": text}
        if text:
            cell = new_markdown_cell(f"<div id=\"lateness\">\n\n**Submission.** {html.escape(text)}\n\n</div>")
            cell.metadata[NOTE_MARK] = True
            nb.cells.insert(0, cell)
        return nb, resources
