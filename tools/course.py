"""Instructor commands around plain nbgrader (the Makefile's `demo` uses them).

    python tools/course.py autograde [ASSIGNMENT ...] [--jobs N | --scheduler tcp://HOST:8786] [--force] [--gpu]
    python tools/course.py report [ASSIGNMENT ...]                 # score tables and the class report
    python tools/course.py serve [--once] [--interval S] [--jobs N] [--now ISO]   # feedback on submit
    python tools/course.py publish ASSIGNMENT                      # release reviewed feedback to students
    python tools/course.py term                                    # apply term.toml (no regrading)
    python tools/course.py import-lms ZIP ASSIGNMENT [--times FILE]   # an LMS bulk download -> submitted/

Without ASSIGNMENT: every assignment of the course (source/ folders with a unit table).

`autograde` grades on Dask (grader_tests/framework/pipeline/scheduling.py): one task per submission,
dynamically balanced over N single-threaded local worker processes (default: the machine's
cores) or over an existing cluster (`--scheduler`, or $COURSE_DASK_SCHEDULER). Workers grade
through nbgrader's Python API and stay up for the whole run; a task whose worker dies is rerun
elsewhere. Only submissions that changed since they were graded are graded again, all of them
when the grader changed, or with --force. A progress bar shows count, rate and ETA; the summary
names failed and flagged submissions. The exit status is non-zero if any submission failed, and 2
when autograde stopped because no student code can run in the grading sandbox (nothing graded).

`report` reads the gradebook: one row per student, one column per graded unit (the answer
cell's grade_id; its test cells' points added up), manual units shown as `?` until a TA grades
them. It prints the table and writes reports/<assignment>_scores.csv and .md, then the class
report reports/<assignment>/index.html and the LMS export reports/<assignment>/lms_export.csv
(grader_tests/framework/reports/class_report.py).

The term (term.toml: due dates, late days, penalties, extensions, checks per day;
grader_tests/framework/pipeline/term.py): `autograde`, `serve` and `term` put the due dates and
extensions into the gradebook, spend each student's free late days where they save the most
points and write the penalties (nbgrader's late-penalty field), `reports/<a>/lateness.json`,
`reports/late_days.json` and `reports/term_grades.csv`. A regrade caused by a grader or term-file
change writes `reports/<a>/changes/<timestamp>.{html,csv}` (pipeline/changes.py); students see
its feedback after `publish`. `serve` collects each new submission from the nbgrader exchange,
grades it and releases its feedback (grader_tests/framework/pipeline/serve.py). `import-lms`
lays out a Canvas bulk download (pipeline/lms_import.py). `--now` (or $COURSE_NOW) sets the
current time, for tests only.
"""
import argparse
import csv
import json
import os
import pathlib
import sys

# The course root: the working directory when it holds nbgrader_config.py (as for nbgrader
# itself), else the folder above tools/.
ROOT = (pathlib.Path.cwd() if (pathlib.Path.cwd() / "nbgrader_config.py").exists()
        else pathlib.Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))


def submitted_students(assignment, root=None):
    base = (root or ROOT) / "submitted"
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir()) if base.is_dir() else []


def autograde(assignment, jobs=None, root=None, scheduler=None, force=False, gpu=False, progress=True,
              on_submitted=None):
    """Grade the submissions of `assignment` on Dask (grader_tests/framework/pipeline/scheduling.py):
    `jobs` local worker processes (default: one per core), or the cluster at `scheduler`; only
    submissions that changed since they were graded, unless the grader changed or `force`."""
    root = root or ROOT
    students = submitted_students(assignment, root)
    if not students:
        print(f"no submissions for {assignment} under submitted/")
        return 0
    sys.path.insert(0, str(root))
    from grader_tests.framework.pipeline import changes, limits, scheduling
    mode, where = limits.detect()
    if mode is None:
        print(f"WARNING: per-submission limits unavailable ({where}); grading in degraded mode "
              "with per-process rlimits only (see grader_tests/framework/pipeline/limits.py)", file=sys.stderr)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(students)))
    pending = changes.before_regrade(root, assignment, students)    # a grader change: compare after
    summary = scheduling.autograde(root, assignment, students, scheduler=scheduler, workers=workers,
                                   force=force, gpu=gpu, progress=progress,
                                   db_url=os.environ.get("COURSE_DB_URL"), on_submitted=on_submitted)
    scheduling.print_summary(assignment, summary)
    if not summary.get("stopped"):
        _, term_reports = changes.apply_term(root)       # late days and penalties of the whole term
        for page in [changes.after_regrade(root, pending)] + term_reports:
            if page:
                print(f"change report: {page.relative_to(root)}")
    # a student whose notebook did not come out of this run keeps no silent stale grades: the
    # report marks them (the gradebook keeps earlier grades for the instructor to inspect)
    not_graded = {s: f"autograde failed in this run: {reason}" for s, reason in summary["failed"].items()}
    not_graded.update({s: "autograde failed in this run; see the autograde log" for s in students
                       if s not in not_graded and not scheduling.graded(root, assignment, s)})
    (root / "reports").mkdir(exist_ok=True)
    (root / "reports" / f"{assignment}_autograde_failures.json").write_text(json.dumps(not_graded, indent=1))
    if summary.get("stopped"):   # the grading environment cannot run student code: no zeros recorded
        return 2
    return 1 if not_graded else 0


def gradebook_url(root=None):
    """The gradebook the course's nbgrader_config.py names ($COURSE_DB_URL, else SQLite)."""
    from grader_tests.framework.reports.class_report import gradebook_url as url
    return url(root or ROOT)


def score_table(assignment, root=None, db_url=None):
    """{student: {unit: (score or None, max)}} and the ordered unit list, from the gradebook."""
    from nbgrader.api import Gradebook
    from grader_tests.framework.contract import table as unit_table
    root = root or ROOT
    db_url = db_url or gradebook_url(root)
    assignment_table = unit_table.load(assignment)
    units = [u.id for u in assignment_table.units]
    table = {}
    with Gradebook(db_url) as gb:
        for sub in gb.assignment_submissions(assignment):
            row = {}
            for nb in sub.notebooks:
                for grade in nb.grades:
                    unit = assignment_table.unit_of_grade(grade.name) or grade.name
                    got, top = row.get(unit, (0.0, 0.0))
                    score = grade.score if (grade.auto_score is not None or grade.manual_score is not None) else None
                    got = None if (got is None or score is None) else got + score
                    row[unit] = (got, top + grade.max_score)
            table[sub.student_id] = row
    return table, [u for u in units if any(u in r for r in table.values())]


def _read_report(assignment, kind, root=None):
    path = (root or ROOT) / "reports" / f"{assignment}_{kind}.json"
    return json.loads(path.read_text()) if path.exists() else {}


LATENESS_COLUMNS = ("submitted at", "late by (h)", "late days used", "late days left", "penalty",
                    "total after penalty")


def lateness_cells(record, total):
    """The score table's lateness columns of one student (`record`: reports/<a>/lateness.json's)."""
    if record is None:
        return [""] * len(LATENESS_COLUMNS)
    penalty = record["penalty_points"]
    return [record["submitted_at"] or "", f"{record['late_by_hours']:g}", record["late_days_used"],
            record["late_days_left"], f"-{penalty:g}" if penalty else "0",
            "-" if total is None else f"{max(total - penalty, 0.0):g}"]


def score_csv_rows(header, rows):
    """The score table as its CSV holds it: numbers only. A unit's "6/7" is 6, "?" (awaiting a
    TA's grade) and "-" (not graded) are empty; "graded total" "31/36" becomes 31 and a "graded
    max" column 36 (the points graded so far and their maximum)."""
    at = header.index("graded total")

    def number(cell):
        text = str(cell)
        if text in ("?", "-"):
            return ""
        return text.split("/")[0] if "/" in text and text.replace("/", "").replace(".", "").replace("-", "").isdigit() else text
    out = [header[:at + 1] + ["graded max"] + header[at + 1:]]
    for row in rows:
        top = str(row[at]).split("/")[1] if "/" in str(row[at]) else ""
        cells = [row[0]] + [number(c) for c in row[1:-1]] + [row[-1]]
        out.append(cells[:at + 1] + [top] + cells[at + 1:])
    return out


def report(assignment, root=None):
    root = root or ROOT
    table, units = score_table(assignment, root=root)
    intake = _read_report(assignment, "intake", root)
    failures = _read_report(assignment, "autograde_failures", root)
    from grader_tests.framework.pipeline.term_grades import read_lateness
    lateness = read_lateness(root, assignment)     # the term's late policy (term.toml)
    header = ["student"] + units + ["graded total"] + list(LATENESS_COLUMNS) + ["outcome"]
    rows = []
    for student in sorted(set(table) | set(failures)):
        row, auto, auto_max = [student], 0.0, 0.0
        failed = student in failures
        for unit in units:
            got, top = table.get(student, {}).get(unit, (None, 0.0))
            row.append("-" if failed else "?" if got is None else f"{got:g}/{top:g}")
            if got is not None and not failed:
                auto, auto_max = auto + got, auto_max + top
        row.append("-" if failed else f"{auto:g}/{auto_max:g}")
        row += lateness_cells(lateness.get(student), None if failed else auto)
        notes = [f"{v['outcome']}: {v['detail']}" for v in intake.get(student, {}).values()
                 if v["outcome"] != "ok"]
        if failed:
            notes.insert(0, f"NOT GRADED: {failures[student]}")
        row.append("; ".join(notes) or "ok")
        rows.append(row)
    out = root / "reports"
    out.mkdir(exist_ok=True)
    with open(out / f"{assignment}_scores.csv", "w", newline="") as fh:
        csv.writer(fh).writerows(score_csv_rows(header, rows))
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in [header] + rows]
    lines.insert(1, "-|-".join("-" * w for w in widths))
    text = "\n".join(lines)
    (out / f"{assignment}_scores.md").write_text(
        f"# {assignment}: scores per unit\n\n`?` = written answer awaiting a TA's grade; `-` = "
        "not graded in the last run (see outcome).\n\n"
        + "\n".join("| " + line + " |" for line in lines) + "\n")
    print(text)
    from grader_tests.framework.reports import class_report
    warnings = []
    page = class_report.write_report(root, assignment, db_url=gradebook_url(root), warnings=warnings)
    from grader_tests.framework.reports import grade_files
    print(f"class report: {page.relative_to(root)}; grade files: " + ", ".join(
        str((page.parent / name).relative_to(root))
        for name in (grade_files.CANVAS_FILE, grade_files.MOODLE_FILE, grade_files.UNITS_FILE)))
    for warning in warnings:
        print(f"  {assignment}: {warning}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ag = sub.add_parser("autograde")
    ag.add_argument("assignments", nargs="*")
    ag.add_argument("--jobs", type=int, default=None,
                    help="local worker processes (default: one per core)")
    ag.add_argument("--scheduler", default=os.environ.get("COURSE_DASK_SCHEDULER"),
                    help="address of an existing Dask scheduler (tcp://host:8786); default: "
                         "$COURSE_DASK_SCHEDULER, else a local cluster started for this run")
    ag.add_argument("--force", action="store_true", help="regrade every submission, changed or not")
    ag.add_argument("--gpu", action="store_true",
                    help="send every submission to workers started with --resources GPU=1")
    rp = sub.add_parser("report")
    rp.add_argument("assignments", nargs="*")
    sv = sub.add_parser("serve", help="collect, grade and release feedback for each new submission")
    sv.add_argument("--once", action="store_true", help="process what is waiting, then exit")
    sv.add_argument("--interval", type=float, default=10.0, help="seconds between cycles (default 10)")
    sv.add_argument("--jobs", type=int, default=None, help="local worker processes (default: one per core)")
    sv.add_argument("--scheduler", default=os.environ.get("COURSE_DASK_SCHEDULER"))
    sv.add_argument("--now", default=None, help="the current time, ISO 8601 with zone (tests only)")
    pb = sub.add_parser("publish", help="release the generated feedback of an assignment to its students")
    pb.add_argument("assignments", nargs="+")
    sub.add_parser("term", help="apply term.toml: due dates, extensions, late days, penalties")
    lm = sub.add_parser("import-lms", help="lay out an LMS bulk download as submitted/<student>/<assignment>/")
    lm.add_argument("zip")
    lm.add_argument("assignment")
    lm.add_argument("--times", default=None,
                    help="the LMS's submission times: Canvas's submissions JSON (API) or a CSV "
                         "with user_id and submitted_at columns")
    args = parser.parse_args(argv)
    from grader_tests.framework.contract import table as unit_table
    if args.command in ("serve", "publish", "term", "import-lms"):
        return term_command(args)
    status = 0
    for assignment in args.assignments or unit_table.assignments(ROOT):
        if args.command == "autograde":
            code = autograde(assignment, args.jobs, scheduler=args.scheduler, force=args.force, gpu=args.gpu)
            status = code or status
            if code == 2:    # the sandbox cannot run student code: no other assignment can be graded
                break
        else:
            status = report(assignment) or status
    if args.command == "report":   # the course index joins every assignment that has a report
        from grader_tests.framework.reports import class_report
        print(f"course index: {class_report.write_index(ROOT).relative_to(ROOT)}")
    return status


def term_command(args, root=None):
    """`serve`, `publish`, `term` and `import-lms` (grader_tests/framework/pipeline/)."""
    root = root or ROOT
    from grader_tests.framework.pipeline import serve
    if args.command == "serve":
        return serve.serve(root, once=args.once, interval=args.interval, jobs=args.jobs,
                           scheduler=args.scheduler, now=args.now)
    if args.command == "publish":
        return max(serve.publish(root, a) for a in args.assignments)
    if args.command == "term":
        from grader_tests.framework.pipeline import changes
        changed, pages = changes.apply_term(root)
        for assignment, students in sorted(changed.items()):
            print(f"{assignment}: lateness changed for {', '.join(students)}")
        for page in pages:
            print(f"change report: {page.relative_to(root)}")
        serve.generate_feedback(root, changed)      # reviewed, then released with `publish`
        print("term applied; feedback regenerated for those students: `publish` releases it")
        return 0
    from grader_tests.framework.pipeline import lms_import
    return lms_import.main(root, args.zip, args.assignment, args.times)


if __name__ == "__main__":
    sys.exit(main())
