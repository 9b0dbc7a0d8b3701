"""The term file and the late policy's arithmetic (grader_tests/framework/pipeline/term.py):
parsing and its errors, late days, penalties, extensions, which submission counts, the rolling
check limit, and the late-day allocation checked against every possible spending."""
import datetime
import itertools
import random

import pytest

from grader_tests.framework.pipeline import term

UTC = datetime.timezone.utc
DUE = datetime.datetime(2026, 10, 9, 23, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
H = datetime.timedelta(hours=1)

EXAMPLE = """
[late_policy]
free_late_days = 2
penalty_per_day = 0.1
zero_after_days = 3
graded_submission = "last"

[checks]
per_day = 5

[exchange]
root = "exchange"

[assignments.a1]
due = 2026-10-09T23:59:00+02:00
[assignments.a2]
due = "2026-10-16T23:59:00Z"

[extensions.a1]
ben = 48
cleo = 1.5
"""


def test_parse_reads_every_setting():
    t = term.parse(EXAMPLE)
    assert t.policy == term.LatePolicy(free_late_days=2, penalty_per_day=0.1, zero_after_days=3)
    assert t.checks_per_day == 5 and t.graded_submission == term.LAST and t.exchange_root == "exchange"
    assert t.due["a1"] == DUE and t.due["a2"] == datetime.datetime(2026, 10, 16, 23, 59, tzinfo=UTC)
    assert t.due_for("a1", "ben") == DUE + 48 * H and t.due_for("a1", "cleo") == DUE + 1.5 * H
    assert t.due_for("a1", "dora") == DUE and t.due_for("a3", "ben") is None
    assert t.in_due_order(["a3", "a2", "a1"]) == ["a1", "a2", "a3"]


def test_defaults_without_a_term_file(tmp_path):
    t = term.load(tmp_path)
    assert t.policy == term.LatePolicy(3, 0.25, 4) and t.checks_per_day == 3
    assert t.graded_submission == term.LAST_BEFORE_DUE and not t.due and not t.extensions
    assert term.exchange_root(tmp_path) == term.DEFAULT_EXCHANGE


@pytest.mark.parametrize("text, says", [
    ("[assignments.a1]\ndue = 2026-10-09T23:59:00", "no time zone"),
    ('[assignments.a1]\ndue = "next friday"', "not an ISO 8601"),
    ("[assignments.a1]\nopens = 2026-10-09T23:59:00Z", "no due date"),
    ('[late_policy]\ngraded_submission = "best"', "is not one of"),
    ("[late_policy]\nfree_late_days = -1", "not a number >= 0"),
    ("[late_policy]\nfree_late_days = 1.5", "not a whole number"),
    ("[extensions.a1]\nben = \"two days\"", "not a number"),
    ("[checks\nper_day = 3", "term.toml"),
])
def test_term_file_errors_name_the_setting(text, says):
    with pytest.raises(term.TermFileError, match=says):
        term.parse(text)


def test_exchange_root_relative_to_the_course(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_EXCHANGE", raising=False)
    (tmp_path / "term.toml").write_text('[exchange]\nroot = "exchange"\n')
    assert term.exchange_root(tmp_path) == str(tmp_path / "exchange")
    monkeypatch.setenv("COURSE_EXCHANGE", "/elsewhere")
    assert term.exchange_root(tmp_path) == "/elsewhere"


def test_simulated_clock(monkeypatch):
    monkeypatch.setenv(term.CLOCK_VARIABLE, "2026-10-09T12:00:00+02:00")
    assert term.now() == datetime.datetime(2026, 10, 9, 10, 0, tzinfo=UTC)
    assert term.now("2026-10-10T00:00:00Z") == datetime.datetime(2026, 10, 10, tzinfo=UTC)
    monkeypatch.delenv(term.CLOCK_VARIABLE)
    assert abs(term.now() - datetime.datetime.now(UTC)) < datetime.timedelta(seconds=5)


def test_a_late_day_is_any_started_24_hours():
    s = datetime.timedelta(seconds=1)
    assert term.late_days(DUE - s, DUE) == 0 and term.late_days(DUE, DUE) == 0
    assert term.late_days(DUE + s, DUE) == 1 and term.late_days(DUE + 24 * H, DUE) == 1
    assert term.late_days(DUE + 24 * H + s, DUE) == 2 and term.late_days(DUE + 92 * H, DUE) == 4
    assert term.late_days(DUE + 500 * H, None) == 0
    assert term.late_by_hours(DUE + 30 * H, DUE) == 30.0 and term.late_by_hours(DUE - H, DUE) == 0.0


def test_penalty_per_day_then_zero():
    default = term.LatePolicy()
    assert [default.penalty_fraction(d) for d in range(6)] == [0, 0.25, 0.5, 0.75, 1.0, 1.0]
    gentle = term.LatePolicy(penalty_per_day=0.1, zero_after_days=2)
    assert [gentle.penalty_fraction(d) for d in range(4)] == [0, 0.1, 0.2, 1.0]
    assert default.penalty_points(1, score=20, max_score=20) == 5.0
    assert default.penalty_points(2, score=4, max_score=20) == 4.0     # never more than the score
    assert default.penalty_points(3, score=0, max_score=20) == 0.0


def test_which_submission_counts():
    on_time = [DUE - 5 * H, DUE - H]
    late = [DUE + H, DUE + 30 * H]
    assert term.graded_submission(on_time + late, DUE) == DUE - H
    assert term.graded_submission(late, DUE) == DUE + H
    assert term.graded_submission(on_time + late, DUE, term.LAST) == DUE + 30 * H
    assert term.graded_submission(late, DUE + 48 * H) == DUE + 30 * H     # an extension
    assert term.graded_submission([], DUE) is None


def test_rolling_check_limit():
    t0 = DUE - 100 * H
    checks = [t0, t0 + H, t0 + 2 * H]
    assert term.check_allowance(checks[:2], t0 + 3 * H, 3) == (True, t0 + 3 * H)
    assert term.check_allowance(checks, t0 + 3 * H, 3) == (False, t0 + 24 * H)
    assert term.check_allowance(checks, t0 + 24 * H, 3)[0]            # the first has left the window
    assert term.check_allowance(checks, t0 + 24 * H - datetime.timedelta(seconds=1), 3)[0] is False
    # five checks in the window and a limit of 2: four of them have to leave it
    five = [t0 + i * H for i in range(5)]
    assert term.check_allowance(five, t0 + 5 * H, 2) == (False, t0 + 3 * H + 24 * H)
    assert term.check_allowance(five * 10, t0 + 5 * H, 0)[0]             # 0: no limit


def _brute_force(items, policy):
    """The best total over every spending of the free days (the allocation's specification)."""
    best = None
    for spent in itertools.product(*[range(i.late_days + 1) for i in items]):
        if sum(spent) > policy.free_late_days:
            continue
        total = sum(i.score - policy.penalty_points(i.late_days - u, i.score, i.max_score)
                    for i, u in zip(items, spent))
        best = total if best is None else max(best, total)
    return best


def _total(items, spent, policy):
    return sum(i.score - policy.penalty_points(i.late_days - spent[i.assignment], i.score, i.max_score)
               for i in items)


def test_allocation_is_optimal_on_random_terms():
    rng = random.Random(20)
    for _ in range(400):
        policy = term.LatePolicy(free_late_days=rng.randint(0, 5), penalty_per_day=rng.choice([0.1, 0.25, 0.5]),
                                 zero_after_days=rng.randint(1, 5))
        items = []
        for k in range(rng.randint(1, 5)):
            top = rng.choice([10, 20, 24, 40])
            items.append(term.Late(f"a{k}", rng.choice([0, 0, 1, 2, 3, 4, 6]), rng.uniform(0, top), top))
        spent = term.allocate(items, policy)
        assert sum(spent.values()) <= policy.free_late_days
        assert all(0 <= spent[i.assignment] <= i.late_days for i in items)
        assert _total(items, spent, policy) == pytest.approx(_brute_force(items, policy), abs=1e-6)


def test_allocation_beats_spending_in_order():
    # spent in order, the only free day would go to the small first assignment
    policy = term.LatePolicy(free_late_days=1)
    items = [term.Late("small", 1, 10, 10), term.Late("large", 1, 40, 40)]
    assert term.allocate(items, policy) == {"small": 0, "large": 1}
    # three days late on a 0-point assignment: a free day there saves nothing
    items = [term.Late("blank", 3, 0, 20), term.Late("good", 2, 20, 20)]
    assert term.allocate(items, term.LatePolicy(free_late_days=2)) == {"blank": 0, "good": 2}


def test_allocation_ties_keep_days_then_spend_them_early():
    policy = term.LatePolicy(free_late_days=3)
    # no penalty to save on either (the score is all lost anyway past 4 penalised days... or 0)
    assert term.allocate([term.Late("zero", 2, 0, 10)], policy) == {"zero": 0}
    # equal gains: the earlier assignment gets the day
    items = [term.Late("first", 1, 10, 10), term.Late("second", 1, 10, 10)]
    assert term.allocate(items, term.LatePolicy(free_late_days=1)) == {"first": 1, "second": 0}


def test_lateness_records_of_a_student():
    t = term.parse(EXAMPLE.replace("free_late_days = 2", "free_late_days = 3")
                   .replace("penalty_per_day = 0.1", "penalty_per_day = 0.25")
                   .replace("zero_after_days = 3", "zero_after_days = 4")
                   .replace('graded_submission = "last"', ""))
    a2_due = t.due["a2"]
    records = term.lateness(t, {"a1": (16.0, 16.0), "a2": (20.0, 20.0)},
                            {"a1": ("ben", DUE + 50 * H),               # 2 h past his 48 h extension
                             "a2": ("ben", a2_due + 3 * 24 * H + 20 * H)},   # 4 late days
                            counts={"a1": 3})
    a1, a2 = records["a1"], records["a2"]
    assert a1["extension_hours"] == 48 and a1["due"] == (DUE + 48 * H).isoformat()
    assert a1["late_days"] == 1 and a1["late_by_hours"] == 2.0
    assert a2["late_days"] == 4
    # 5 late days, 3 free: a penalised day costs 4 points on a1 (out of 16), 5 on a2 (out of
    # 20), and two on a2 cost 10: one penalised day each (9 points) is best
    assert (a1["late_days_used"], a2["late_days_used"]) == (0, 3)
    assert (a1["penalised_days"], a1["penalty_points"], a1["penalty_fraction"]) == (1, 4.0, 0.25)
    assert (a2["penalised_days"], a2["penalty_points"]) == (1, 5.0)
    assert (a1["late_days_left"], a2["late_days_left"]) == (3, 0)
    assert a1["graded_submission"] == "the first submission after the due date, none came before it (3 submitted in all)"
    assert a1["submitted_at"] == (DUE + 50 * H).isoformat()


def test_an_assignments_penalty_is_shared_out_over_its_notebooks():
    from types import SimpleNamespace as Nb
    from grader_tests.framework.pipeline.term_grades import notebook_penalties
    notebooks = [Nb(name="b_second", score=10.0), Nb(name="a_first", score=4.0)]
    assert notebook_penalties(notebooks, 6.0) == {"a_first": 4.0, "b_second": 2.0}   # none below 0
    assert notebook_penalties(notebooks, 0.0) == {"a_first": 0.0, "b_second": 0.0}
    assert notebook_penalties(notebooks, 30.0) == {"a_first": 4.0, "b_second": 10.0}


def test_what_the_feedback_says_about_lateness():
    from grader_tests.framework.pipeline.term_grades import describe
    record = {"submitted_at": "2026-10-13T19:59:00+02:00", "due": "2026-10-09T23:59:00+02:00",
              "late_by_hours": 92.0, "late_days": 4, "late_days_used": 3, "late_days_left": 0,
              "penalised_days": 1, "penalty_fraction": 0.25, "penalty_points": 6.0, "extension_hours": 0.0,
              "graded_submission": "the first submission after the due date, none came before it"}
    text = describe(record, 3)
    assert text.startswith("Graded: the first submission after the due date, none came before it, "
                           "submitted Tue 13 Oct 2026, 19:59 (UTC+02:00). Due Fri 09 Oct 2026, 23:59 (UTC+02:00).")
    assert "Late by 92.0 h: 4 late days" in text and "Free late days spent on it: 3; left after this assignment: 0 of 3" in text
    assert text.endswith("Penalty for 1 late day not covered by free late days: 25% of the assignment's "
                         "points, -6 points (the score above is after it).")
    on_time = {**record, "late_by_hours": 0.0, "late_days": 0, "late_days_used": 0, "late_days_left": 2,
               "penalised_days": 0, "penalty_fraction": 0.0, "penalty_points": 0.0, "extension_hours": 48.0}
    assert describe(on_time, 3).endswith("with your 48 h extension. On time. Free late days left after this assignment: 2 of 3.")
