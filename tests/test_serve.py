"""Feedback on submit without grading anything (grader_tests/framework/pipeline/serve.py): what a
cycle decides for each submission, the check limit, the durable state across a crash, one serve
at a time. Grading is replaced by a stand-in here; tests/test_term.py grades for real."""
import datetime
import json
import os
import pathlib

import pytest

from conftest import make_course

from grader_tests.framework.pipeline import inbox, scheduling, serve
from grader_tests.framework.pipeline import term as term_file

UTC = datetime.timezone.utc
D = datetime.datetime(2026, 10, 9, 22, 0, tzinfo=UTC)
H = datetime.timedelta(hours=1)
A = "sparse_autoencoder"


def decide(subs, now, checks=(), per_day=3, rule=term_file.LAST_BEFORE_DUE, counted=None, due=D):
    return serve.decide(subs, now, due, list(checks), per_day, rule, counted)


def test_before_the_deadline_the_newest_is_graded_and_older_ones_superseded():
    d = decide([("a", D - 5 * H, serve.RECEIVED), ("b", D - 4 * H, serve.RECEIVED)], D - 3 * H)
    assert (d.grade, d.check) == ("b", True)
    assert d.updates["a"][0] == serve.SUPERSEDED and "replaced by your newer submission" in d.updates["a"][1]
    # graded ones are left alone
    assert decide([("a", D - 5 * H, serve.GRADED)], D - 3 * H).grade is None


def test_over_the_check_limit_a_submission_is_kept_until_the_next_allowance():
    checks = [D - 30 * H, D - 20 * H, D - 10 * H]
    d = decide([("x", D - 9 * H, serve.RECEIVED)], D - 9 * H, checks)
    assert d.grade is None and d.updates["x"][0] == serve.DEFERRED
    assert "at Fri 09 Oct 2026 16:00 (UTC+00:00) (your next check" in d.updates["x"][1]  # D-30h + 24h
    # at the allowance it is graded, spending a check
    assert decide([("x", D - 9 * H, serve.DEFERRED)], D - 30 * H + 24 * H, checks).grade == "x"
    # the deadline comes before the next allowance: graded at the deadline, spending none
    checks = [D - 3 * H]
    d = decide([("y", D - H, serve.RECEIVED)], D - H, checks, per_day=1)
    assert d.updates["y"][0] == serve.DEFERRED and "(the deadline)" in d.updates["y"][1]
    d = decide([("y", D - H, serve.DEFERRED)], D, checks, per_day=1)
    assert (d.grade, d.check) == ("y", False)


def test_after_the_deadline_the_submission_that_counts_is_graded():
    subs = [("early", D - 9 * H, serve.GRADED), ("last", D - H, serve.DEFERRED),
            ("late", D + 2 * H, serve.RECEIVED), ("later", D + 30 * H, serve.RECEIVED)]
    d = decide(subs, D + 40 * H, counted="early")
    assert (d.grade, d.check) == ("last", False)
    assert {n: s for n, (s, _) in d.updates.items()} == {"late": serve.NOT_COUNTED, "later": serve.NOT_COUNTED}
    assert "came after your due date" in d.updates["late"][1]
    # once graded and in submitted/, nothing more
    subs[1] = ("last", D - H, serve.GRADED)
    assert decide(subs[:2], D + 40 * H, counted="last").grade is None
    # no submission before the due date: the first late one counts, later ones do not
    d = decide([("late", D + 2 * H, serve.RECEIVED), ("later", D + 30 * H, serve.RECEIVED)], D + 40 * H)
    assert d.grade == "late" and "your first late submission" in d.updates["later"][1]
    # with `last`, the newest counts, late or not
    assert decide(subs[:2] + [("late", D + 2 * H, serve.RECEIVED)], D + 40 * H, counted="last",
                  rule=term_file.LAST).grade == "late"
    # an extension moves the due date: the late-looking one is on time
    assert decide([("x", D + 30 * H, serve.RECEIVED)], D + 40 * H, due=D + 48 * H).grade == "x"
    # a submission autograde failed on waits for the staff (not retried every cycle)
    assert decide([("bad", D - H, serve.FAILED)], D + H).grade is None


# ---------------------------------------------------------------------------------------------
# A cycle, with grading replaced by a stand-in
# ---------------------------------------------------------------------------------------------

def submit_raw(exchange, student, when, text="{}"):
    """A submission as nbgrader's submit lays it out in the inbound folder."""
    name = f"{student}+{A}+{inbox.format_timestamp(when)}+{os.urandom(3).hex()}"
    folder = exchange / "dl-recurrent-coursework" / "inbound" / name
    folder.mkdir(parents=True)
    (folder / f"{A}.ipynb").write_text(text)
    (folder / "timestamp.txt").write_text(inbox.format_timestamp(when))
    (folder / "submission_secret.txt").write_text(f"secret-{name}")
    return name


@pytest.fixture
def cycle(tmp_path, monkeypatch):
    """(course, exchange, grading calls): a course whose grading and feedback are stand-ins."""
    course = make_course(tmp_path, A)
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    monkeypatch.setenv("COURSE_EXCHANGE", str(exchange))
    (course / "term.toml").write_text(f"[checks]\nper_day = 1\n[assignments.{A}]\ndue = {D.isoformat()}\n")
    calls = []

    def fake_autograde(root, assignment, students, client=None, **kwargs):
        todo, _ = scheduling.to_grade(root, assignment, students)
        calls.append(sorted(todo))
        for student in todo:
            folder = pathlib.Path(root) / "autograded" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{A}.ipynb").write_text((pathlib.Path(root) / "submitted" / student / assignment
                                                / f"{A}.ipynb").read_text())
        return {"graded": sorted(todo), "failed": {}, "stopped": None}

    class NoCluster:
        def client(self):
            return None

        def close(self):
            pass

    monkeypatch.setattr(scheduling, "autograde", fake_autograde)
    monkeypatch.setattr(serve, "generate_feedback", lambda root, students, release=None, log=print: {
        a: sorted(s) for a, s in (release or {}).items()})
    monkeypatch.setattr(serve, "LazyCluster", lambda *a, **k: NoCluster())
    return course, exchange, calls


def test_two_quick_submits_the_newer_is_graded_once(cycle):
    course, exchange, calls = cycle
    older = submit_raw(exchange, "ann", D - 10 * H, '{"v": 1}')
    newer = submit_raw(exchange, "ann", D - 10 * H + datetime.timedelta(seconds=30), '{"v": 2}')
    summary = serve.serve_once(course, now=D - 9 * H, log=lambda *a: None)
    assert calls == [["ann"]] and summary["graded"] == {A: ["ann"]}
    assert (course / "submitted" / "ann" / A / f"{A}.ipynb").read_text() == '{"v": 2}'
    state = json.loads((course / "reports" / serve.STATE).read_text())
    assert state["submissions"][newer]["status"] == serve.GRADED
    assert state["submissions"][older]["status"] == serve.SUPERSEDED
    told = inbox.released_feedback(inbox.course_exchange(course), next(
        r for r in inbox.scan(inbox.course_exchange(course)) if r.name == older))
    assert "replaced by your newer submission" in told[A].read_text()
    # nothing new: nothing graded again
    serve.serve_once(course, now=D - 8 * H, log=lambda *a: None)
    assert calls == [["ann"]]


def test_a_crash_while_grading_loses_nothing(cycle, monkeypatch):
    course, exchange, calls = cycle
    name = submit_raw(exchange, "bea", D - 10 * H, '{"v": 1}')
    real = scheduling.autograde

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("serve killed while grading")

    monkeypatch.setattr(scheduling, "autograde", crash)
    with pytest.raises(KeyboardInterrupt):
        serve.serve_once(course, now=D - 9 * H, log=lambda *a: None)
    state = json.loads((course / "reports" / serve.STATE).read_text())
    assert state["submissions"][name]["status"] == serve.GRADING and not state["checks"]
    assert not list((course / "reports").glob(".serve_state.json.*"))       # written whole
    monkeypatch.setattr(scheduling, "autograde", real)
    summary = serve.serve_once(course, now=D - 9 * H, log=lambda *a: None)   # restarted
    assert summary["graded"] == {A: ["bea"]} and calls == [["bea"]]
    state = json.loads((course / "reports" / serve.STATE).read_text())
    assert state["submissions"][name]["status"] == serve.GRADED
    assert state["checks"] == {f"bea/{A}": [(D - 9 * H).isoformat()]}         # one check, spent once


def test_one_serve_at_a_time(cycle):
    course, exchange, calls = cycle
    submit_raw(exchange, "cai", D - 10 * H)
    with serve.course_lock(course):
        with pytest.raises(serve.ServeBusy):
            serve.serve_once(course, now=D - 9 * H, log=lambda *a: None)
    assert calls == []
