"""What a regrade changed: `reports/<a>/changes/<timestamp>.{html,csv}`, for staff to review
before students see it.

A regrade happens when the grader changes (its code, the reference, the source notebooks, the
course config: scheduling.grader_fingerprint) or the term file does (an extension, the late
policy): `tools/course.py autograde`, `term` and `serve` then regrade what the change affects
(scheduling grades again exactly the submissions whose grader changed; a term change recomputes
the penalties, no code runs) and write one report per assignment and cause:

- CSV: one row per regraded student and unit (and a `late penalty` row per student whose
  lateness record changed): old and new points, maximum, old and new diagnosis, changed or not;
- HTML: the counts first (students regraded, whose total went up or down, units whose points or
  diagnosis changed), then the changed rows, then the students whose grade did not change.

A unit's diagnosis is the one sentence its failed test cells' verdicts give a student
(reports.diagnosis.of_cell), "all checks passed" when none failed. Students see the new feedback
only after `tools/course.py publish <assignment>`.
"""
import csv
import dataclasses
import html
import io
import json
import pathlib

from grader_tests.framework.pipeline import scheduling
from grader_tests.framework.pipeline import term as term_file
from grader_tests.framework.pipeline.term_grades import LATE_DAYS, read_lateness, write_atomically

PENALTY_ROW = "late penalty"
PASSED = "all checks passed"
COLUMNS = ("student", "unit", "old_points", "new_points", "max_points", "old_diagnosis",
           "new_diagnosis", "changed")


def grader_changed(root, assignment, students):
    """The students whose last grading used another grader than now, their submission unchanged
    (what scheduling will regrade because the grader changed)."""
    path = pathlib.Path(root) / "reports" / assignment / scheduling.STATE_FILE
    state = json.loads(path.read_text()) if path.exists() else {}
    current = scheduling.grader_fingerprint(root, assignment)
    return sorted(s for s in students if s in state and state[s].get("grader") != current
                  and state[s].get("submission") == scheduling.submission_fingerprint(root, assignment, s))


def _unit_diagnoses(root, assignment, student, assignment_table):
    """{unit: diagnosis sentence} from the failed test cells of the student's autograded notebooks."""
    import nbformat
    from grader_tests.framework.reports import diagnosis
    found = {}
    folder = pathlib.Path(root) / "autograded" / student / assignment
    for name in assignment_table.notebook_files:
        try:
            nb = nbformat.read(str(folder / name), as_version=4)
        except Exception:
            continue
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            unit, _ = assignment_table.unit_of_test(grade_id)
            if unit is None:
                continue
            verdict = diagnosis.of_cell(cell)
            if verdict is not None and verdict.sentence not in found.get(unit.id, []):
                found.setdefault(unit.id, []).append(verdict.sentence)
    return {unit: " / ".join(sentences) for unit, sentences in found.items()}


def _describe_penalty(record):
    if record is None:
        return ""
    if not record["late_days"]:
        return "on time" + (f" ({record['extension_hours']:g} h extension)" if record["extension_hours"] else "")
    return (f"{record['late_days']} late days, {record['late_days_used']} free, "
            f"{record['penalised_days']} penalised ({record['penalty_fraction']:.0%})")


def snapshot(root, assignment, students, db_url=None):
    """{student: {unit: (points or None, max, diagnosis)}} as the gradebook, the autograded
    notebooks and the lateness records say now, with the late penalty as one more row."""
    from nbgrader.api import Gradebook, MissingEntry
    from grader_tests.framework.contract import table
    from grader_tests.framework.pipeline.term_grades import course_gradebook
    assignment_table = table.load(assignment)
    lateness = read_lateness(root, assignment)
    db_url, course_id = course_gradebook(root, db_url)
    shot = {}
    with Gradebook(db_url, course_id) as gb:
        for student in students:
            units = {}
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            for nb in submission.notebooks:
                for grade in nb.grades:
                    unit = assignment_table.unit_of_grade(grade.name) or grade.name
                    got, top = units.get(unit, (0.0, 0.0))
                    score = grade.score if (grade.auto_score is not None or grade.manual_score is not None) else None
                    units[unit] = (None if got is None or score is None else got + score, top + grade.max_score)
            said = _unit_diagnoses(root, assignment, student, assignment_table)
            row = {u: (got, top, said.get(u, PASSED if got is not None and got >= top else ""))
                   for u, (got, top) in units.items()}
            row.update(_penalty_row(lateness.get(student)))
            shot[student] = row
    return shot


@dataclasses.dataclass
class Pending:
    """What a regrade is compared with: the snapshot taken before it."""
    assignment: str
    cause: str
    students: list
    before: dict


def before_regrade(root, assignment, students, db_url=None):
    """The snapshot of the students a grader change will regrade (None when there are none)."""
    changed = grader_changed(root, assignment, students)
    if not changed:
        return None
    return Pending(assignment, "grader", changed, snapshot(root, assignment, changed, db_url))


def _rows(before, after):
    rows = []
    for student in sorted(set(before) | set(after)):
        old, new = before.get(student, {}), after.get(student, {})
        for unit in list(new) + [u for u in old if u not in new]:
            o = old.get(unit, (None, None, ""))
            n = new.get(unit, (None, None, ""))
            changed = o[0] != n[0] or o[2] != n[2]
            rows.append({"student": student, "unit": unit, "old_points": o[0], "new_points": n[0],
                         "max_points": n[1] if n[1] is not None else o[1], "old_diagnosis": o[2],
                         "new_diagnosis": n[2], "changed": changed})
    return rows


def _total(row):
    return sum(v[0] for v in row.values() if v[0] is not None)


def _fmt(x):
    return "" if x is None else f"{x + 0.0:g}"      # + 0.0: no "-0" for a zero penalty


def write_report(root, assignment, cause, before, after, now=None):
    """Write reports/<a>/changes/<timestamp>.{csv,html}; returns the HTML's path (None when
    nobody was affected)."""
    if not before and not after:
        return None
    rows = _rows(before, after)
    moment = term_file.now(now)
    folder = pathlib.Path(root) / "reports" / assignment / "changes"
    folder.mkdir(parents=True, exist_ok=True)
    stem = moment.strftime("%Y%m%dT%H%M%SZ")
    n = 1
    while (folder / f"{stem}.html").exists() or (folder / f"{stem}.csv").exists():
        n += 1
        stem = f"{moment:%Y%m%dT%H%M%SZ}-{n}"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_fmt(row[c]) if c.endswith("points") else row[c] for c in COLUMNS])
    write_atomically(folder / f"{stem}.csv", out.getvalue())

    students = sorted(set(before) | set(after))
    up = [s for s in students if _total(after.get(s, {})) > _total(before.get(s, {})) + 1e-9]
    down = [s for s in students if _total(after.get(s, {})) < _total(before.get(s, {})) - 1e-9]
    changed = [r for r in rows if r["changed"]]
    points = [r for r in changed if r["old_points"] != r["new_points"]]
    unchanged_students = [s for s in students if not any(r["student"] == s for r in changed)]
    why = {"grader": "the grader changed (its code, the reference, the source notebooks or the course "
                     "configuration): these submissions were graded again",
           "term": "the term file changed (due dates, extensions or the late policy): penalties "
                   "recomputed, no code graded again"}[cause]
    counts = [("students regraded", len(students)), ("total up", len(up)), ("total down", len(down)),
              ("rows changed (points or diagnosis)", len(changed)), ("rows whose points changed", len(points)),
              ("students unchanged", len(unchanged_students))]
    body = "".join(
        f"<tr><td>{html.escape(r['student'])}</td><td><code>{html.escape(r['unit'])}</code></td>"
        f"<td class=n>{_fmt(r['old_points'])}</td><td class=n>{_fmt(r['new_points'])}</td>"
        f"<td class=n>{_fmt(r['max_points'])}</td><td>{html.escape(r['old_diagnosis'])}</td>"
        f"<td>{html.escape(r['new_diagnosis'])}</td></tr>" for r in changed)
    page = (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(assignment)}: changes {stem}</title><style>"
        "body{font-family:sans-serif;margin:1.5em;max-width:80em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}td.n{text-align:right}"
        "#counts td{font-weight:bold}</style></head><body>"
        f"<h1>{html.escape(assignment)}: what the regrade of {moment:%Y-%m-%d %H:%M} UTC changed</h1>"
        f"<p>Why: {html.escape(why)}. Students see the new feedback only after "
        f"<code>python tools/course.py publish {html.escape(assignment)}</code>.</p>"
        "<table id=\"counts\">" + "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in counts)
        + "</table>"
        + (f"<p>Total up: {html.escape(', '.join(up))}</p>" if up else "")
        + (f"<p>Total down: {html.escape(', '.join(down))}</p>" if down else "")
        + "<h2>Changed</h2>"
        + ("<table id=\"changes\"><thead><tr><th>student</th><th>unit</th><th>old points</th>"
           "<th>new points</th><th>max</th><th>old diagnosis</th><th>new diagnosis</th></tr></thead>"
           f"<tbody>{body}</tbody></table>" if changed else "<p>Nothing changed.</p>")
        + "<h2>Unchanged</h2><p>" + (html.escape(", ".join(unchanged_students)) or "none") + "</p>"
        + f"<p>Every row, changed or not: <a href=\"{stem}.csv\">{stem}.csv</a></p></body></html>")
    write_atomically(folder / f"{stem}.html", page)
    return folder / f"{stem}.html"


def after_regrade(root, pending, db_url=None, now=None):
    """Write the change report of a regrade started with `before_regrade`."""
    if pending is None:
        return None
    after = snapshot(root, pending.assignment, pending.students, db_url)
    return write_report(root, pending.assignment, pending.cause, pending.before, after, now)


def _penalty_row(record):
    return {PENALTY_ROW: (-record["penalty_points"], 0.0, _describe_penalty(record))} if record else {}


def recorded_term(root):
    """The term file's fingerprint when the term was last applied (None: never)."""
    path = pathlib.Path(root) / "reports" / LATE_DAYS
    return json.loads(path.read_text()).get("term_file") if path.exists() else None


def apply_term(root, db_url=None, now=None):
    """Apply the term (term_grades.apply) and, when the term file changed since it was last
    applied, write a change report for every assignment whose lateness records changed.
    Returns ({assignment: [students whose record changed]}, [report paths])."""
    from grader_tests.framework.pipeline import term_grades
    previous = recorded_term(root)
    changed = term_grades.apply(root, db_url)
    reports = []
    if previous is not None and previous != term_file.fingerprint(root):
        for assignment, diff in sorted(changed.items()):
            before = {s: _penalty_row(old) for s, (old, _) in diff.items()}
            after = {s: _penalty_row(new) for s, (_, new) in diff.items()}
            reports.append(write_report(root, assignment, "term", before, after, now))
    return {a: sorted(d) for a, d in changed.items()}, [r for r in reports if r]
