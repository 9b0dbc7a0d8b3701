"""The term file (`term.toml` at the course root) and the late policy's arithmetic.

Everything here is pure: no gradebook, no files but the term file itself. What the course's
commands do with it (due dates and extensions into the gradebook, penalties into the grades,
`reports/<a>/lateness.json`) is in `term_grades.py`; the feedback-on-submit loop that applies
the check limit and picks the graded submission is `serve.py`.

The term file (every key optional; the defaults are those below):

    [late_policy]
    free_late_days = 3         # for the whole term; a late day is any started 24 h past the
                               # (extended) due date
    penalty_per_day = 0.25     # share of the assignment's points lost per late day beyond the
                               # free ones ...
    zero_after_days = 4        # ... and past this many such days the assignment scores 0
    graded_submission = "last-before-due"   # or "last"

    [checks]
    per_day = 3                # graded checks per rolling 24 h before the deadline (0: no limit)

    [exchange]
    root = "/srv/nbgrader/exchange"   # relative paths are taken from the course root

    [assignments.recurrent_cells]
    due = 2026-10-09T23:59:00+02:00   # ISO 8601 with its time zone (a TOML date-time or a string)

    [extensions.recurrent_cells]
    some_student = 48                 # hours added to that student's due date

Late days are spent automatically, per student, where they save the most points over the whole
term (`allocate`: exact, over every assignment); a student's total never gets worse by having
free late days. Which submission counts (`graded_submission`): `last-before-due` is the last one
before the student's (extended) due date, or the first late one when none came before it;
`last` is the newest, late or not.
"""
import dataclasses
import datetime
import functools
import hashlib
import math
import os
import pathlib
import tomllib

TERM_FILE = "term.toml"
DAY = datetime.timedelta(hours=24)
LAST_BEFORE_DUE = "last-before-due"
LAST = "last"
RULES = (LAST_BEFORE_DUE, LAST)
DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"
# Tests and the demo's example students live on a simulated clock: the course's commands read
# the current time from here when it is set (an ISO 8601 time with its zone). Never set in a
# real term.
CLOCK_VARIABLE = "COURSE_NOW"


class TermFileError(ValueError):
    """The term file cannot be read or says something the policy cannot apply."""


@dataclasses.dataclass(frozen=True)
class LatePolicy:
    free_late_days: int = 3
    penalty_per_day: float = 0.25
    zero_after_days: int = 4

    def penalty_fraction(self, penalised_days):
        """The share of an assignment's points lost for `penalised_days` late days beyond the
        free ones: `penalty_per_day` each, all of them past `zero_after_days`."""
        if penalised_days <= 0:
            return 0.0
        if penalised_days > self.zero_after_days:
            return 1.0
        return min(1.0, self.penalty_per_day * penalised_days)

    def penalty_points(self, penalised_days, score, max_score):
        """Points taken off a `score` out of `max_score` (never more than the score)."""
        return min(max(score, 0.0), self.penalty_fraction(penalised_days) * max_score)


@dataclasses.dataclass(frozen=True)
class Term:
    due: dict = dataclasses.field(default_factory=dict)          # assignment -> aware datetime
    policy: LatePolicy = LatePolicy()
    checks_per_day: int = 3
    graded_submission: str = LAST_BEFORE_DUE
    extensions: dict = dataclasses.field(default_factory=dict)   # (assignment, student) -> hours
    exchange_root: str = None

    def extension_hours(self, assignment, student):
        return float(self.extensions.get((assignment, student), 0.0))

    def due_for(self, assignment, student):
        """The student's due date for `assignment` (their extension added), or None when the
        assignment has none."""
        due = self.due.get(assignment)
        if due is None:
            return None
        return due + datetime.timedelta(hours=self.extension_hours(assignment, student))

    def in_due_order(self, assignments):
        """`assignments` sorted by due date (those without one last, by name)."""
        far = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)
        return sorted(assignments, key=lambda a: (self.due.get(a) or far, a))


def _datetime(value, where):
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError as err:
            raise TermFileError(f"{where}: {value!r} is not an ISO 8601 date-time") from err
    if not isinstance(value, datetime.datetime):
        raise TermFileError(f"{where}: {value!r} is not a date-time with a time zone")
    if value.tzinfo is None or value.utcoffset() is None:
        raise TermFileError(f"{where}: {value.isoformat()} has no time zone (write e.g. +02:00 or Z)")
    return value


def _number(table, key, default, where, kind=float, minimum=0):
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise TermFileError(f"{where}.{key}: {value!r} is not a number >= {minimum}")
    if kind is int and value != int(value):
        raise TermFileError(f"{where}.{key}: {value!r} is not a whole number")
    return kind(value)


def parse(text, source=TERM_FILE):
    """A `Term` from the text of a term file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TermFileError(f"{source}: {err}") from err
    late = data.get("late_policy", {})
    policy = LatePolicy(
        free_late_days=_number(late, "free_late_days", 3, "late_policy", int),
        penalty_per_day=_number(late, "penalty_per_day", 0.25, "late_policy"),
        zero_after_days=_number(late, "zero_after_days", 4, "late_policy", int))
    rule = late.get("graded_submission", LAST_BEFORE_DUE)
    if rule not in RULES:
        raise TermFileError(f"late_policy.graded_submission: {rule!r} is not one of {', '.join(RULES)}")
    checks = _number(data.get("checks", {}), "per_day", 3, "checks", int)
    due = {}
    for assignment, entry in data.get("assignments", {}).items():
        if not isinstance(entry, dict) or "due" not in entry:
            raise TermFileError(f"assignments.{assignment}: no due date (due = 2026-10-09T23:59:00+02:00)")
        due[assignment] = _datetime(entry["due"], f"assignments.{assignment}.due")
    extensions = {}
    for assignment, students in data.get("extensions", {}).items():
        if not isinstance(students, dict):
            raise TermFileError(f"extensions.{assignment}: expected `student = hours` lines")
        for student, hours in students.items():
            extensions[(assignment, student)] = _number(students, student, 0, f"extensions.{assignment}")
    exchange = data.get("exchange", {}).get("root")
    return Term(due=due, policy=policy, checks_per_day=checks, graded_submission=rule,
                extensions=extensions, exchange_root=exchange)


def path(root):
    return pathlib.Path(root) / TERM_FILE


def load(root):
    """The course's term (defaults throughout when it has no term file)."""
    file = path(root)
    return parse(file.read_text(), str(file)) if file.exists() else Term()


def fingerprint(root):
    """A digest of the term file: a change of it (an extension granted) recomputes the grades."""
    file = path(root)
    return hashlib.sha256(file.read_bytes() if file.exists() else b"").hexdigest()


def exchange_root(root):
    """Where the nbgrader exchange is: $COURSE_EXCHANGE, else the term file's [exchange] root
    (relative to the course root), else nbgrader's usual /srv/nbgrader/exchange."""
    if os.environ.get("COURSE_EXCHANGE"):
        return os.environ["COURSE_EXCHANGE"]
    try:
        configured = load(root).exchange_root
    except TermFileError:
        configured = None
    if not configured:
        return DEFAULT_EXCHANGE
    return str(pathlib.Path(root, configured)) if not os.path.isabs(configured) else configured


def now(override=None):
    """The current time (aware): `override` (an ISO 8601 string or datetime), else $COURSE_NOW,
    else the clock."""
    value = override or os.environ.get(CLOCK_VARIABLE)
    if value:
        return _datetime(value, CLOCK_VARIABLE).astimezone(datetime.timezone.utc)
    return datetime.datetime.now(datetime.timezone.utc)


# ---------------------------------------------------------------------------------------------
# The policy's arithmetic
# ---------------------------------------------------------------------------------------------

def late_days(submitted_at, due):
    """Late days of a submission: every started 24 h past `due` (0 when on time or no due date)."""
    if due is None or submitted_at is None or submitted_at <= due:
        return 0
    return math.ceil((submitted_at - due) / DAY)


def late_by_hours(submitted_at, due):
    if due is None or submitted_at is None or submitted_at <= due:
        return 0.0
    return (submitted_at - due).total_seconds() / 3600


def graded_submission(times, due, rule=LAST_BEFORE_DUE):
    """Which of a student's submission times counts: with `last-before-due`, the last one at or
    before `due`, else the first after it; with `last`, the newest. None when there are none."""
    times = sorted(times)
    if not times:
        return None
    if rule == LAST or due is None:
        return times[-1]
    on_time = [t for t in times if t <= due]
    return on_time[-1] if on_time else times[0]


def check_allowance(checks, now, per_day):
    """(whether a graded check may run at `now`, when the next one may): at most `per_day`
    checks in any 24 h ending now (`checks`: the times earlier checks ran); `per_day` 0: no
    limit."""
    if not per_day:
        return True, now
    window = sorted(t for t in checks if now - DAY < t <= now)
    if len(window) < per_day:
        return True, now
    # the check that has to leave the window to bring it under the limit
    return False, window[len(window) - per_day] + DAY


@dataclasses.dataclass(frozen=True)
class Late:
    """One graded assignment of a student, as the late-day allocation sees it."""
    assignment: str
    late_days: int
    score: float
    max_score: float


def allocate(items, policy):
    """{assignment: free late days spent on it}: the spending that maximises the student's total
    (sum of score - penalty over `items`, given in due order) within `policy.free_late_days`.

    Exact (dynamic programming over the assignments and the days left). Among spendings with the
    same total, the one that spends the fewest days (the rest stay for later assignments), then
    the one that spends them on the earliest assignments."""
    items = list(items)
    budget = max(0, policy.free_late_days)

    @functools.lru_cache(maxsize=None)
    def best(i, left):
        """(rounded total, -days spent, days per assignment from i on) of the best spending of
        `left` days on items[i:]."""
        if i == len(items):
            return (0.0, 0, ())
        item = items[i]
        choice = None
        for used in range(min(item.late_days, left) + 1):
            total, minus_spent, spent = best(i + 1, left - used)
            kept = item.score - policy.penalty_points(item.late_days - used, item.score, item.max_score)
            candidate = (round(total + kept, 6), minus_spent - used, (used,) + spent)
            if choice is None or candidate > choice:
                choice = candidate
        return choice

    return {item.assignment: used for item, used in zip(items, best(0, budget)[2])}


def describe_graded(submitted_at, due, rule, count=None):
    """Which submission counts, in words (for the lateness record and the feedback)."""
    of = f" ({count} submitted in all)" if count and count > 1 else ""
    if rule == LAST:
        return f"the last submission{of}"
    if due is None or submitted_at is None or submitted_at <= due:
        return f"the last submission before the due date{of}"
    return f"the first submission after the due date, none came before it{of}"


def lateness(term, items, submitted, counts=None):
    """The lateness records of one student (the `reports/<a>/lateness.json` entries).

    `items`: {assignment: (score, max_score)} of the graded assignments; `submitted`:
    {assignment: (student, submitted_at)}; `counts`: {assignment: submissions received}."""
    order = term.in_due_order(items)
    lates, dues = [], {}
    for assignment in order:
        student, at = submitted[assignment]
        dues[assignment] = term.due_for(assignment, student)
        score, top = items[assignment]
        lates.append(Late(assignment, late_days(at, dues[assignment]), score or 0.0, top or 0.0))
    spent = allocate(lates, term.policy)
    records, used_so_far = {}, 0
    for late in lates:
        student, at = submitted[late.assignment]
        due = dues[late.assignment]
        used = spent[late.assignment]
        used_so_far += used
        penalised = late.late_days - used
        fraction = term.policy.penalty_fraction(penalised)
        zone = due.tzinfo if due else datetime.timezone.utc     # times shown in the due date's zone
        records[late.assignment] = {
            "submitted_at": at.astimezone(zone).isoformat(timespec="seconds") if at else None,
            "due": due.isoformat(timespec="seconds") if due else None,
            "late_by_hours": round(late_by_hours(at, due), 2),
            "late_days": late.late_days,
            "late_days_used": used,
            "late_days_left": term.policy.free_late_days - used_so_far,
            "penalised_days": penalised,
            "penalty_fraction": round(fraction, 4),
            "penalty_points": round(term.policy.penalty_points(penalised, late.score, late.max_score), 4),
            "extension_hours": term.extension_hours(late.assignment, student),
            "graded_submission": describe_graded(at, due, term.graded_submission,
                                                 (counts or {}).get(late.assignment)),
        }
    return records
