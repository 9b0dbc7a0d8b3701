"""A whole term on a throwaway course (SPEC 12): six students submit through a temporary nbgrader
exchange on a simulated clock, `tools/course.py serve --once` runs between the steps, and the
grades, penalties, late days, what each student's fetched feedback says and the change reports
after a grader change and an extension are asserted.

The students (term.toml: due D, 1 graded check per 24 h, 3 free late days, 25 % per late day
beyond them):
- on_time: submits a day before D (and once more after D: not counted);
- day_late: 5 h after D: one free late day spent, no penalty;
- four_late: 3 days 20 h after D: four late days, three free, one penalised (25 %);
- extended: 30 h after D with a 48 h extension: on time;
- limited: a buggy submission graded, a second one 8 h later is over the limit: kept, told so,
  graded at the deadline (its next allowance would have come first had serve run then);
- resubmits: graded once, then two submits in quick succession: the newer is graded, the older
  told it was replaced.
"""
import csv
import datetime
import json
import os
import subprocess
import sys
import time

from term_helpers import (ASSIGNMENT, COURSE_ID, Student, at, course_command, hours, term_course,
                          text_of)

from grader_tests.framework.pipeline import submission_builder as sb

D = datetime.datetime(2026, 10, 9, 23, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
TERM = f"""
[late_policy]
free_late_days = 3
penalty_per_day = 0.25
zero_after_days = 4

[checks]
per_day = 1

[assignments.{ASSIGNMENT}]
due = {D.isoformat()}

[extensions.{ASSIGNMENT}]
extended = 48
"""
STUDENTS = ("on_time", "day_late", "four_late", "extended", "limited", "resubmits")


def corpus(unit, name):
    return (sb.corpus_dir(ASSIGNMENT, unit) / f"{name}.py").read_text()


def serve_once(course, exchange, now):
    start = time.perf_counter()
    proc = course_command(course, exchange, "serve", "--once", "--jobs", "2", "--now", at(now))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    print(f"  serve --once at D{(now - D) / hours(1):+.0f} h: {time.perf_counter() - start:.1f} s")
    return proc.stdout


def gradebook(course):
    """{student: (score, max score, penalty, extension hours)} and the assignment's due date."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assignment = gb.find_assignment(ASSIGNMENT)
        rows = {s.student_id: (s.score, assignment.max_score, s.late_submission_penalty,
                               s.extension.total_seconds() / 3600 if s.extension else 0.0)
                for s in gb.assignment_submissions(ASSIGNMENT)}
        return rows, assignment.duedate


def state(course):
    return json.loads((course / "reports" / "serve_state.json").read_text())


def test_a_whole_term(tmp_path):
    start = time.perf_counter()
    course, exchange, release_nb, solution = term_course(tmp_path, TERM, STUDENTS)
    students = {s: Student(s, tmp_path, exchange, release_nb) for s in STUDENTS}
    wrong_init = {**solution, "init_weights": corpus("init_weights", "wrong_normal_draw")}
    wrong_cost = {**solution, "ae_cost": corpus("ae_cost", "wrong_kl_subtracted")}

    # Step 1, two days before D: three first submissions, each graded and its feedback released
    on_time = students["on_time"].submit(solution, D - hours(50))
    limited_a = students["limited"].submit(wrong_init, D - hours(49))
    resub_1 = students["resubmits"].submit(wrong_cost, D - hours(49))
    serve_once(course, exchange, D - hours(48))
    for s in ("on_time", "limited", "resubmits"):
        students[s].fetch_feedback()
    first = text_of(students["limited"].feedback(limited_a))
    assert "init_weights" in first and "On time" in first, first[:2000]
    scores, due = gradebook(course)
    assert due == D.astimezone(datetime.timezone.utc).replace(tzinfo=None)      # in the gradebook
    assert scores["on_time"][0] == 20 and scores["limited"][0] < 20 and scores["resubmits"][0] < 20

    # Step 2, 8 h later: limited's second submission is over the check limit: kept, told so
    limited_b = students["limited"].submit(solution, D - hours(41))
    out = serve_once(course, exchange, D - hours(40))
    assert "grading" not in out                                    # nothing to grade, no cluster
    students["limited"].fetch_feedback()
    told = text_of(students["limited"].feedback(limited_b))
    assert "kept, but not graded yet" in told and "1 graded check in the last 24 hours" in told, told
    assert "graded at Thu 08 Oct 2026 23:59 (UTC+02:00)" in told    # when the first check leaves the window
    assert {r["status"] for r in state(course)["submissions"].values() if r["student"] == "limited"} == {
        "graded", "deferred"}

    # resubmits submits twice in quick succession, 21 h before D (over the limit too: kept)
    resub_2 = students["resubmits"].submit(wrong_init, D - hours(21))
    resub_3 = students["resubmits"].submit(solution, D - hours(21) + datetime.timedelta(seconds=20))
    # after D: the late ones, and on_time's late resubmission (not counted)
    late_again = students["on_time"].submit(wrong_init, D + hours(2))
    students["day_late"].submit(solution, D + hours(5))
    students["four_late"].submit(solution, D + hours(3 * 24 + 20))
    students["extended"].submit(solution, D + hours(30))

    # Step 3, four days after D: limited's kept submission and resubmits' newer one are graded
    # at the deadline (the older one told it was replaced), the late ones as they count
    serve_once(course, exchange, D + hours(4 * 24))
    for s in STUDENTS:
        students[s].fetch_feedback()
    scores, _ = gradebook(course)
    assert scores["limited"][0] == 20 and scores["resubmits"][0] == 20
    assert "kept, but not graded yet" not in text_of(students["limited"].feedback(limited_b))
    assert "is not the one that counts" in text_of(students["resubmits"].feedback(resub_2))
    assert "On time" in text_of(students["resubmits"].feedback(resub_3))
    assert "kl" in text_of(students["resubmits"].feedback(resub_1)).lower()    # its own feedback stays
    fates = {r["submitted_at"]: r["status"] for r in state(course)["submissions"].values()
             if r["student"] == "resubmits"}
    assert sorted(fates.values()) == ["graded", "graded", "superseded"]
    assert len(list((exchange / COURSE_ID / "inbound").glob("resubmits+*"))) == 3    # nothing lost
    lateness = json.loads((course / "reports" / ASSIGNMENT / "lateness.json").read_text())
    scores, _ = gradebook(course)
    top = scores["on_time"][1]
    assert {s: (r["late_days"], r["late_days_used"], r["late_days_left"], r["penalised_days"])
            for s, r in lateness.items()} == {
        "on_time": (0, 0, 3, 0), "day_late": (1, 1, 2, 0), "four_late": (4, 3, 0, 1),
        "extended": (0, 0, 3, 0), "limited": (0, 0, 3, 0), "resubmits": (0, 0, 3, 0)}
    assert lateness["four_late"]["penalty_points"] == 0.25 * top and lateness["four_late"]["penalty_fraction"] == 0.25
    assert lateness["four_late"]["late_by_hours"] == 92.0 and lateness["extended"]["extension_hours"] == 48
    assert lateness["on_time"]["submitted_at"] == on_time.isoformat()           # its on-time one counts
    assert scores["four_late"][2] == 0.25 * top and scores["day_late"][2] == 0.0   # nbgrader's penalty field
    assert scores["extended"][3] == 48.0                                          # nbgrader's extension
    day_late = text_of(students["day_late"].feedback(D + hours(5)))
    assert "Late by 5.0 h: 1 late day" in day_late and "Free late days spent on it: 1; left after this assignment: 2 of 3" in day_late
    four_late = text_of(students["four_late"].feedback(D + hours(92)))
    assert (f"Penalty for 1 late day not covered by free late days: 25% of the assignment's points, "
            f"-{0.25 * top:g} points") in four_late, four_late[:3000]
    assert "with your 48 h extension. On time" in text_of(students["extended"].feedback(D + hours(30)))
    assert "came after your due date" in text_of(students["on_time"].feedback(late_again))
    rows = {r["student"]: r for r in csv.DictReader(open(course / "reports" / "term_grades.csv"))}
    assert float(rows["four_late"]["final_points"]) == 20 - 0.25 * top
    before_change = students["on_time"].feedback(on_time)

    # Step 4: a deliberate grader change (the reference's preprocessing maps onto [0.1, 0.8]):
    # serve regrades everyone, writes the change report, and releases nothing until publish
    ref = course / "reference" / f"{ASSIGNMENT}.py"            # the course's own copy
    ref.write_text(ref.read_text().replace("0.1 + 0.8 * (y + bound)", "0.1 + 0.7 * (y + bound)"))  # numpy and torch
    serve_once(course, exchange, D + hours(4 * 24 + 1))
    reports = sorted((course / "reports" / ASSIGNMENT / "changes").glob("*.csv"))
    assert reports, "no change report"
    changed = [r for r in csv.DictReader(open(reports[-1])) if r["changed"] == "True"]
    preprocess = {r["student"]: r for r in changed if r["unit"] == "preprocess"}
    assert set(preprocess) == set(STUDENTS), changed
    assert all(float(r["new_points"]) < float(r["old_points"]) == 4 for r in preprocess.values())
    assert all(r["old_diagnosis"] == "all checks passed" and r["new_diagnosis"] not in ("", "all checks passed")
               for r in preprocess.values())
    page = text_of(reports[-1].with_suffix(".html").read_text())
    assert "students regraded 6" in page and "total down 6" in page, page[:1500]
    students["on_time"].fetch_feedback()
    assert students["on_time"].feedback(on_time) == before_change        # not published yet
    proc = course_command(course, exchange, "publish", ASSIGNMENT)
    assert proc.returncode == 0 and "released to 6 student(s)" in proc.stdout, proc.stdout + proc.stderr
    # the student's own nbgrader command, as they would type it
    proc = subprocess.run([str(pathlib_bin() / "nbgrader"), "fetch_feedback", ASSIGNMENT, "--student=on_time",
                           f"--course={COURSE_ID}", f"--Exchange.root={exchange}",
                           f"--Exchange.cache={students['on_time'].home / '.nbgrader_cache'}",
                           f"--CourseDirectory.root={students['on_time'].home}"],
                          cwd=students["on_time"].home, capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COURSE_ROOT")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    after = text_of(students["on_time"].feedback(on_time))
    assert preprocess["on_time"]["new_diagnosis"] in after, after[:3000]

    # Step 5: an extension granted in the term file: recomputed without grading any code
    runs = course / "reports" / ASSIGNMENT / "grading_state.json"
    graded_state = runs.read_text()
    (course / "term.toml").write_text(TERM + "four_late = 96\n")
    proc = course_command(course, exchange, "term")
    assert proc.returncode == 0 and "lateness changed for four_late" in proc.stdout, proc.stdout + proc.stderr
    assert runs.read_text() == graded_state                                # nothing regraded
    lateness = json.loads((course / "reports" / ASSIGNMENT / "lateness.json").read_text())
    assert (lateness["four_late"]["late_days"], lateness["four_late"]["penalty_points"]) == (0, 0.0)
    scores, _ = gradebook(course)
    assert scores["four_late"][2] == 0.0 and scores["four_late"][3] == 96.0
    term_report = sorted((course / "reports" / ASSIGNMENT / "changes").glob("*.csv"))[-1]
    rows = list(csv.DictReader(open(term_report)))
    assert [(r["student"], r["unit"], r["old_points"], r["new_points"]) for r in rows] == [
        ("four_late", "late penalty", f"-{0.25 * top:g}", "0")]
    print(f"\nwhole term: {time.perf_counter() - start:.1f} s")


def pathlib_bin():
    import pathlib
    return pathlib.Path(sys.executable).parent
