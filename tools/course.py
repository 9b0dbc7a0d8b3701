"""Instructor commands around plain nbgrader (the Makefile's `demo` uses them).

    python tools/course.py autograde [ASSIGNMENT ...] [--jobs N]   # all submitted students, N processes
    python tools/course.py report [ASSIGNMENT ...]                 # per-student, per-unit score table

Without ASSIGNMENT: every assignment of the course (source/ folders with a unit table).

`autograde` splits the students into N groups (default: the machine's cores) and runs one
`nbgrader autograde` process per group, each excluding the other groups' students, all on the
same SQLite gradebook. A group whose process fails is retried once on its own, so a transient
gradebook lock costs time, not grades. The exit status is non-zero if any group still fails.

`report` reads the gradebook: one row per student, one column per graded unit (the answer
cell's grade_id; its test cells' points added up), manual units shown as `?` until a TA grades
them. It prints the table and writes reports/<assignment>_scores.csv and .md.
"""
import argparse
import csv
import json
import os
import pathlib
import subprocess
import sys
import time

# The course root: the working directory when it holds nbgrader_config.py (as for nbgrader
# itself), else the folder above tools/.
ROOT = (pathlib.Path.cwd() if (pathlib.Path.cwd() / "nbgrader_config.py").exists()
        else pathlib.Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))


def submitted_students(assignment, root=None):
    base = (root or ROOT) / "submitted"
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir()) if base.is_dir() else []


def autograde(assignment, jobs, root=None):
    root = root or ROOT
    students = submitted_students(assignment, root)
    if not students:
        print(f"no submissions for {assignment} under submitted/")
        return 0
    sys.path.insert(0, str(root))
    from grader_tests.framework.intake import intake_all
    intake_all(root, assignment)  # once, before the parallel runs (nbgrader_config.py repeats it: no-op)
    jobs = max(1, min(jobs, len(students)))
    groups = [students[k::jobs] for k in range(jobs)]
    from grader_tests.framework import limits
    mode, where = limits.detect()
    if mode is None:
        print(f"WARNING: per-submission limits unavailable ({where}); grading in degraded mode "
              "with per-process rlimits only (see grader_tests/framework/limits.py)", file=sys.stderr)
    # each graded notebook's processes together get at most its share of the machine
    env = dict(os.environ)
    env.setdefault("COURSE_SUBMISSION_CPUS", f"{(os.cpu_count() or 1) / jobs:g}")

    def command(group):
        others = [s for s in students if s not in group]
        cmd = ["nbgrader", "autograde", assignment, "--create", "--force"]
        if len(group) == 1:
            cmd += ["--student", group[0]]
        elif others:
            cmd += [f"--CourseDirectory.student_id_exclude={','.join(others)}"]
        return cmd

    start = time.perf_counter()
    procs = []
    for k, group in enumerate(groups):
        log = open(root / f".autograde_{k}.log", "w")
        procs.append((group, subprocess.Popen(command(group), cwd=root, stdout=log, env=env,
                                              stderr=subprocess.STDOUT), log))
    failed = []
    for group, proc, log in procs:
        proc.wait()
        log.close()
        if proc.returncode != 0:
            failed.append(group)
    for group in list(failed):  # one retry, alone: rules out contention on the gradebook
        k = groups.index(group)
        tail = (root / f".autograde_{k}.log").read_text().splitlines()[-15:]
        print(f"autograde group {group} failed; retrying it alone. Its log ended with:\n  "
              + "\n  ".join(tail), file=sys.stderr)
        if subprocess.run(command(group), cwd=root, env=env).returncode == 0:
            failed.remove(group)
    print(f"autograded {len(students)} submissions of {assignment} in "
          f"{time.perf_counter() - start:.1f} s with {jobs} processes")
    for k in range(len(groups)):
        (root / f".autograde_{k}.log").unlink(missing_ok=True)
    if failed:
        print(f"autograde failed for {sum(failed, [])}", file=sys.stderr)
    # a student whose notebook did not come out of this run keeps no silent stale grades: the
    # report marks them (the gradebook keeps earlier grades for the instructor to inspect)
    from grader_tests.framework import table as unit_table
    nb_names = unit_table.load(assignment).notebook_files
    not_graded = {s: "autograde failed in this run; see the autograde log"
                  for s in students
                  if not all((root / "autograded" / s / assignment / n).exists() for n in nb_names)}
    (root / "reports").mkdir(exist_ok=True)
    (root / "reports" / f"{assignment}_autograde_failures.json").write_text(json.dumps(not_graded, indent=1))
    return 1 if failed or not_graded else 0


def score_table(assignment, root=None):
    """{student: {unit: (score or None, max)}} and the ordered unit list, from the gradebook."""
    from nbgrader.api import Gradebook
    from grader_tests.framework import table as unit_table
    root = root or ROOT
    db_url = f"sqlite:///{root / 'gradebook.db'}?timeout=60"
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


def _read_report(assignment, kind):
    path = ROOT / "reports" / f"{assignment}_{kind}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def report(assignment):
    table, units = score_table(assignment)
    intake = _read_report(assignment, "intake")
    failures = _read_report(assignment, "autograde_failures")
    header = ["student"] + units + ["graded total", "outcome"]
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
        notes = [f"{v['outcome']}: {v['detail']}" for v in intake.get(student, {}).values()
                 if v["outcome"] != "ok"]
        if failed:
            notes.insert(0, f"NOT GRADED: {failures[student]}")
        row.append("; ".join(notes) or "ok")
        rows.append(row)
    out = ROOT / "reports"
    out.mkdir(exist_ok=True)
    with open(out / f"{assignment}_scores.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([header] + rows)
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in [header] + rows]
    lines.insert(1, "-|-".join("-" * w for w in widths))
    text = "\n".join(lines)
    (out / f"{assignment}_scores.md").write_text(
        f"# {assignment}: scores per unit\n\n`?` = written answer awaiting a TA's grade; `-` = "
        "not graded in the last run (see outcome).\n\n"
        + "\n".join("| " + line + " |" for line in lines) + "\n")
    print(text)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ag = sub.add_parser("autograde")
    ag.add_argument("assignments", nargs="*")
    ag.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    rp = sub.add_parser("report")
    rp.add_argument("assignments", nargs="*")
    args = parser.parse_args(argv)
    from grader_tests.framework import table as unit_table
    status = 0
    for assignment in args.assignments or unit_table.assignments(ROOT):
        if args.command == "autograde":
            status = autograde(assignment, args.jobs) or status
        else:
            status = report(assignment) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
