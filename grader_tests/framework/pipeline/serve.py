"""Feedback on submit: `python tools/course.py serve` turns each new submission in the nbgrader
exchange into released feedback, minutes after the student pressed Submit.

One cycle (`serve_once`; `--once` runs one and exits, otherwise one every few seconds):
1. every submission in the exchange's inbound folder is recorded (inbox.scan);
2. per student and assignment, `decide` says what happens to the submissions not handled yet:
   - before the student's (extended) due date: the newest is graded now if the student has a
     graded check left (at most `[checks] per_day` in any rolling 24 h, term.toml); otherwise it
     is kept (`deferred`) and graded at the next allowance or at the deadline, whichever comes
     first, and the student is told so in place of feedback. Older ones not graded yet are
     `superseded` (the newer one wins; nothing is deleted);
   - from the due date on: the submission that counts (term.graded_submission: the last before
     the due date, or the first late one when there is none) is graded if it is not already the
     graded one; the others are told they do not count;
3. the chosen submissions are collected into submitted/ (inbox.collect) and graded on Dask
   (scheduling.autograde: only what changed; a grader change since the last cycle regrades the
   submissions it affects, with a change report, changes.py), the term applied (late days,
   penalties: term_grades.apply; a term-file change writes its own change report);
4. feedback is generated for everyone graded or whose lateness changed, and released at once to
   the students whose new submission was graded; regrades wait for `publish` (release_feedback),
   so staff review the change report first.

Durable: the state (every submission's fate, the checks used, which submission is in submitted/)
is `reports/serve_state.json`, written whole (write, fsync, rename) after every step that changes
it. A submission being graded when `serve` died is graded again on restart; a check is spent only
once its grading succeeded. One `serve` at a time (an exclusive lock on reports/.serve.lock), and
each student has at most one submission per assignment in a cycle: nothing is graded twice at once.
"""
import contextlib
import dataclasses
import datetime
import fcntl
import json
import pathlib
import sys
import time

from grader_tests.framework.pipeline import changes, inbox, scheduling
from grader_tests.framework.pipeline import term as term_file
from grader_tests.framework.pipeline import term_grades
from grader_tests.framework.pipeline.term_grades import write_atomically

STATE = "serve_state.json"
LOCK = ".serve.lock"
RECEIVED = "received"        # in the exchange, not handled yet
GRADING = "grading"          # collected into submitted/, its grading under way
GRADED = "graded"
DEFERRED = "deferred"        # over the check limit: kept, graded at the next allowance or the deadline
SUPERSEDED = "superseded"    # a newer submission came before it was graded
NOT_COUNTED = "not counted"  # after the deadline, another submission counts
FAILED = "failed"            # autograde could not grade it (the reason is recorded)
TOLD = (DEFERRED, SUPERSEDED, NOT_COUNTED, FAILED)   # the student gets a page in place of feedback


class ServeBusy(RuntimeError):
    """Another `serve` holds the course's lock."""


def _iso(moment):
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="seconds")


def _time(text):
    return datetime.datetime.fromisoformat(text)


def _shown(moment, zone=None):
    """A time as a student reads it (in the due date's zone when there is one)."""
    local = moment.astimezone(zone) if zone else moment
    return f"{local:%a %d %b %Y %H:%M} (UTC{local.isoformat()[-6:]})"


# ---------------------------------------------------------------------------------------------
# The decision (pure)
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Decision:
    grade: str = None          # the inbound name to grade now
    check: bool = False        # whether that grading spends one of the student's checks
    updates: dict = dataclasses.field(default_factory=dict)   # name -> (status, what the student is told)


def decide(submissions, now, due, checks, per_day, rule, counted):
    """What happens now to one student's submissions of one assignment.

    `submissions`: [(inbound name, submitted_at, status)]; `due`: the student's due date (None:
    none); `checks`: times of the checks already spent; `counted`: the inbound name now in
    submitted/ (None: none)."""
    subs = sorted(submissions, key=lambda s: (s[1], s[0]))
    zone = due.tzinfo if due else None
    decision = Decision()
    if not subs:
        return decision
    if due is None or now < due:
        waiting = [s for s in subs if s[2] in (RECEIVED, DEFERRED)]
        if not waiting:
            return decision
        newest = waiting[-1]
        for name, at, _ in waiting[:-1]:
            decision.updates[name] = (SUPERSEDED, (
                f"This submission ({_shown(at, zone)}) was replaced by your newer submission of "
                f"{_shown(newest[1], zone)} before it was graded; that one is graded instead. "
                "Every submission is kept."))
        allowed, next_at = term_file.check_allowance(checks, now, per_day)
        if allowed:
            decision.grade, decision.check = newest[0], True
            return decision
        until = min(next_at, due) if due else next_at
        decision.updates[newest[0]] = (DEFERRED, (
            f"This submission ({_shown(newest[1], zone)}) is kept, but not graded yet: you have "
            f"had {per_day} graded check{'s' if per_day != 1 else ''} in the last 24 hours, the most "
            f"before the deadline. It will be graded at {_shown(until, zone)} "
            + ("(the deadline)" if due and until == due else
               f"(your next check; the deadline is {_shown(due, zone)})" if due else "(your next check)")
            + ", or replaced by a newer submission of yours before then."))
        return decision
    final_at = term_file.graded_submission([s[1] for s in subs], due, rule)
    final = max((s for s in subs if s[1] == final_at), key=lambda s: s[0])
    if (final[2] == GRADED and counted != final[0]) or final[2] in (RECEIVED, DEFERRED, SUPERSEDED, NOT_COUNTED):
        decision.grade = final[0]        # graded at the deadline (a failed one waits for the staff)
    for name, at, status in subs:
        if name == final[0] or status not in (RECEIVED, DEFERRED):
            continue
        if at <= due:
            decision.updates[name] = (SUPERSEDED, (
                f"This submission ({_shown(at, zone)}) is not the one that counts: your submission of "
                f"{_shown(final[1], zone)} is graded. Every submission is kept."))
        elif final[1] <= due:
            decision.updates[name] = (NOT_COUNTED, (
                f"This submission ({_shown(at, zone)}) came after your due date ({_shown(due, zone)}); "
                f"your submission of {_shown(final[1], zone)}, before it, is the one graded. This one "
                "is kept but not graded."))
        else:
            decision.updates[name] = (NOT_COUNTED, (
                f"This submission ({_shown(at, zone)}) came after your first late submission "
                f"({_shown(final[1], zone)}), which is the one graded. This one is kept but not graded."))
    return decision


# ---------------------------------------------------------------------------------------------
# The state
# ---------------------------------------------------------------------------------------------

def state_path(root):
    return pathlib.Path(root) / "reports" / STATE


def load_state(root):
    path = state_path(root)
    state = json.loads(path.read_text()) if path.exists() else {}
    for key in ("submissions", "checks", "counted", "grader"):
        state.setdefault(key, {})
    return state


def save_state(root, state):
    write_atomically(state_path(root), json.dumps(state, indent=1, sort_keys=True))


@contextlib.contextmanager
def course_lock(root, wait=False):
    """Hold the course's serve lock (ServeBusy when another process has it and not `wait`)."""
    path = pathlib.Path(root) / "reports" / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as err:
            raise ServeBusy(f"another serve is running on this course ({path})") from err
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _key(student, assignment):
    return f"{student}/{assignment}"


# ---------------------------------------------------------------------------------------------
# One cycle
# ---------------------------------------------------------------------------------------------

class LazyCluster:
    """A Dask client started on first use and kept for later cycles (workers stay warm)."""

    def __init__(self, root, scheduler=None, workers=None):
        self.root, self.scheduler, self.workers = root, scheduler, workers
        self._cluster = self._client = None

    def client(self):
        if self._client is None:
            self._cluster = scheduling.Cluster(self.root, self.scheduler, self.workers)
            self._client = self._cluster.__enter__()
        return self._client

    def close(self):
        if self._cluster is not None:
            self._cluster.__exit__(None, None, None)
        self._cluster = self._client = None


def _feedback_api(root):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    config = scheduling.course_config(root, "generate_feedback")
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _submitted(root, assignment):
    base = pathlib.Path(root) / "submitted"
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir()) if base.is_dir() else []


def serve_once(root, now=None, cluster=None, log=print):
    """One cycle (see the module docstring). Returns a summary dict: graded, deferred,
    superseded, not_counted, failed ({assignment: [students]}), released, regraded, reports."""
    from grader_tests.framework.contract import table
    root = pathlib.Path(root)
    now = term_file.now(now)
    own_cluster = cluster is None
    cluster = cluster or LazyCluster(root, workers=None)
    summary = {k: {} for k in ("graded", "deferred", "superseded", "not_counted", "failed", "released",
                               "regraded")}
    summary["reports"] = []
    try:
        with course_lock(root):
            _cycle(root, now, cluster, summary, table.assignments(root), log)
    finally:
        if own_cluster:
            cluster.close()
    return summary


def _cycle(root, now, cluster, summary, assignments, log):
    term = term_file.load(root)
    term_grades.sync(root)      # due dates and extensions in the gradebook before anyone is graded
    exchange = inbox.course_exchange(root)
    state = load_state(root)
    subs = state["submissions"]
    received = inbox.scan(exchange, set(assignments))
    by_name = {r.name: r for r in received}
    for r in received:
        if r.name not in subs:
            subs[r.name] = {"student": r.student, "assignment": r.assignment,
                            "submitted_at": _iso(r.submitted_at), "status": RECEIVED}
    for record in subs.values():
        if record["status"] == GRADING:        # serve stopped while it was graded: again
            record["status"] = RECEIVED
    groups = {}
    for r in received:
        groups.setdefault((r.student, r.assignment), []).append(r)
    plans = {}                                 # assignment -> {student: (Received, spends a check)}
    for (student, assignment), group in sorted(groups.items()):
        key = _key(student, assignment)
        decision = decide([(r.name, r.submitted_at, subs[r.name]["status"]) for r in group], now,
                          term.due_for(assignment, student),
                          [_time(t) for t in state["checks"].get(key, [])], term.checks_per_day,
                          term.graded_submission, state["counted"].get(key))
        for name, (status, note) in decision.updates.items():
            subs[name].update(status=status, note=note)
            summary[status.replace(" ", "_")].setdefault(assignment, []).append(student)
        if decision.grade:
            plans.setdefault(assignment, {})[student] = (by_name[decision.grade], decision.check)
    save_state(root, state)
    _tell(exchange, subs, by_name, state, root)

    for assignment in assignments:
        grader = scheduling.grader_fingerprint(root, assignment)
        planned = plans.get(assignment, {})
        if not planned and state["grader"].get(assignment) == grader:
            continue                           # nothing new, the grader as it was
        for student, (r, _) in planned.items():
            inbox.collect(exchange, r)
            subs[r.name]["status"] = GRADING
        save_state(root, state)
        students = _submitted(root, assignment)
        pending = changes.before_regrade(root, assignment, students)
        todo, _ = scheduling.to_grade(root, assignment, students)
        result = {"graded": [], "failed": {}, "stopped": None}
        if todo:
            log(f"serve: grading {len(todo)} submission(s) of {assignment}: {', '.join(todo)}")
            streamed = []    # each new submission's feedback, made and released as soon as it is graded
            result = scheduling.autograde(
                root, assignment, students, client=cluster.client(), progress=False,
                on_submitted=lambda client, futures: streamed.extend(
                    _feedback_after(client, root, assignment, futures, set(planned))))
            for done in (cluster.client().gather(streamed, errors="skip") if streamed else []):
                if done.get("released"):
                    summary["released"].setdefault(assignment, []).append(done["student"])
                elif done.get("error"):
                    log(f"serve: feedback for {done['student']}/{assignment}: {done['error']}")
            log(f"serve: {assignment}: {len(result['graded'])} graded, {len(streamed)} feedback released "
                f"in {result.get('wall_seconds', 0.0):.1f} s")
        for student, (r, check) in planned.items():
            record, key = subs[r.name], _key(student, assignment)
            if student in result["graded"] or (student not in todo and scheduling.graded(root, assignment, student)):
                record.update(status=GRADED, graded_at=_iso(now), note="")
                state["counted"][key] = r.name
                if check:
                    state["checks"].setdefault(key, []).append(_iso(now))
                summary["graded"].setdefault(assignment, []).append(student)
            elif result.get("stopped"):
                record["status"] = RECEIVED    # the grading environment is broken: try again later
            else:
                reason = result["failed"].get(student, "autograde failed")
                record.update(status=FAILED, note=(
                    "This submission could not be graded automatically; the course staff have been "
                    f"told and will look at it (it is kept). Reason: {reason}"))
                summary["failed"].setdefault(assignment, []).append(student)
        regraded = sorted(s for s in result["graded"] if s not in planned)
        if regraded:
            summary["regraded"][assignment] = regraded
        if result.get("stopped"):
            log(f"serve: AUTOGRADE STOPPED: {result['stopped']}")
        else:
            state["grader"][assignment] = grader
        report = changes.after_regrade(root, pending, now=now) if pending else None
        if report:
            summary["reports"].append(report)
        save_state(root, state)
    _tell(exchange, subs, by_name, state, root)

    lateness_changed, term_reports = changes.apply_term(root, now=now)
    summary["reports"] += term_reports
    # the graded students' feedback was made right after their grading, with the same policy
    lateness_changed = {a: [s for s in found if s not in summary["graded"].get(a, [])]
                        for a, found in lateness_changed.items()}
    _feedback(root, summary, lateness_changed, log)


def _tell(exchange, subs, by_name, state, root):
    """Release what a submission's student is told in place of feedback, once per message."""
    changed = False
    for name, record in sorted(subs.items()):
        if record["status"] in TOLD and record.get("told") != record.get("note") and name in by_name:
            title = {DEFERRED: "Kept: graded later", SUPERSEDED: "Replaced by a newer submission",
                     NOT_COUNTED: "Not counted", FAILED: "Not graded automatically"}[record["status"]]
            inbox.release_page(exchange, by_name[name], inbox.page(
                f"{record['assignment']}: {title}", [record["note"]]))
            record["told"] = record["note"]
            changed = True
    if changed:
        save_state(root, state)


def _student_of(future, assignment):
    """The student a grading task is for (its key: autograde-<assignment>-<student>-<run id>)."""
    return future.key[len(f"autograde-{assignment}-"):].rsplit("-", 2)[0]


def _feedback_after(client, root, assignment, futures, students):
    """A feedback task after the grading task of each of `students` (new submissions), run on
    the cluster ahead of the gradings still waiting."""
    return [client.submit(feedback_task, str(root), assignment, _student_of(f, assignment), f,
                          key=f"feedback-{f.key}", pure=False, priority=10)
            for f in futures if _student_of(f, assignment) in students]


def feedback_task(root, assignment, student, graded):
    """In a worker, once `graded` (grade_submission's result) is in: nbgrader's generate_feedback
    and release_feedback for the student, so the feedback reaches the exchange without waiting
    for the rest of the cycle's gradings."""
    import os
    if not graded.get("success"):
        return {"student": student, "released": False, "error": ""}
    os.chdir(root)
    api = _feedback_api(root)
    made = api.generate_feedback(assignment, student, force=True)
    if not made.get("success"):
        return {"student": student, "released": False, "error": (made.get("error") or "")[-300:]}
    released = api.release_feedback(assignment, student)
    return {"student": student, "released": bool(released.get("success")),
            "error": "" if released.get("success") else (released.get("error") or "")[-300:]}


def _feedback(root, summary, lateness_changed, log):
    """Generate feedback for everyone regraded or whose lateness changed (released by
    `publish`), and for graded students whose feedback the cluster did not release (released)."""
    todo, release = {}, {}
    for assignment, students in summary["graded"].items():
        missing = [s for s in students if s not in summary["released"].get(assignment, [])]
        if missing:
            todo.setdefault(assignment, set()).update(missing)
            release[assignment] = missing
    for source in (summary["regraded"], lateness_changed):
        for assignment, students in source.items():
            todo.setdefault(assignment, set()).update(students)
    released = generate_feedback(root, todo, release=release, log=log)
    for assignment, students in released.items():
        summary["released"].setdefault(assignment, []).extend(students)


def generate_feedback(root, students, release=None, log=print):
    """nbgrader's generate_feedback for {assignment: students} (those with an autograded
    submission), and release_feedback for those in `release` ({assignment: students}). Returns
    {assignment: [students whose feedback was released]}."""
    released = {}
    todo = {a: sorted(s for s in found if scheduling.graded(root, a, s)) for a, found in students.items()}
    if not any(todo.values()):
        return released
    api = _feedback_api(root)
    for assignment, names in sorted(todo.items()):
        for student in names:
            result = api.generate_feedback(assignment, student, force=True)
            if not result.get("success"):
                log(f"serve: feedback for {student}/{assignment} failed: {(result.get('error') or '')[-300:]}")
                continue
            if student in (release or {}).get(assignment, []):
                result = api.release_feedback(assignment, student)
                if result.get("success"):
                    released.setdefault(assignment, []).append(student)
                else:
                    log(f"serve: release of {student}/{assignment} failed: {(result.get('error') or '')[-300:]}")
    return released


def publish(root, assignment, log=print):
    """Release every generated feedback of `assignment` (nbgrader's release_feedback): what a
    regrade or a term change produced reaches the students only now."""
    api = _feedback_api(root)
    result = api.release_feedback(assignment)
    if not result.get("success"):
        log((result.get("error") or result.get("log") or "release_feedback failed")[-2000:])
        return 1
    released = sorted({line.split("'")[1] for line in (result.get("log") or "").splitlines()
                       if "Releasing feedback for student '" in line})
    log(f"{assignment}: feedback released to {len(released)} student(s): {', '.join(released)}")
    return 0


def serve(root, once=False, interval=10.0, jobs=None, scheduler=None, now=None, log=print):
    """Run cycles until interrupted (`once`: one). Keeps one Dask cluster for all cycles. Without
    `once`, each line it logs starts with the time (UTC)."""
    cluster = LazyCluster(root, scheduler, jobs)
    if not once:
        plain = log

        def log(text):
            plain(f"{datetime.datetime.now(datetime.timezone.utc):%H:%M:%S} {text}")
    try:
        while True:
            started = time.monotonic()
            try:
                summary = serve_once(root, now=now, cluster=cluster, log=log)
            except ServeBusy as err:
                log(f"serve: {err}")
                return 3
            _print_summary(summary, log)
            if once:
                return 1 if summary["failed"] else 0
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.close()


def _print_summary(summary, log):
    words = {"graded": "graded", "released": "feedback released", "deferred": "kept for later (check limit)",
             "superseded": "replaced by a newer submission", "not_counted": "not counted",
             "failed": "FAILED", "regraded": "regraded (not published)"}
    for kind, text in words.items():
        for assignment, students in sorted(summary[kind].items()):
            log(f"serve: {assignment}: {text}: {', '.join(sorted(students))}")
    for report in summary["reports"]:
        log(f"serve: change report {report}")
    sys.stdout.flush()
