"""The class report of one assignment, for instructors and TAs (SPEC 10, 13):
`reports/<assignment>/index.html` (one offline page: figures are embedded PNGs, no network; a
few lines of inline script sort the student x unit table, which reads as it is without them),
the grade files an LMS imports (grade_files.py: Canvas, Moodle, per unit), and the course index
`reports/index.html` joining every assignment (`write_index`).

    python tools/course.py report [ASSIGNMENT ...]     # also writes reports/<a>_scores.{md,csv}

Every student's total is out of the assignment's points; a written answer awaiting a TA is
pending (shown so, counted neither as points nor as lost); a late penalty from
reports/<a>/lateness.json (the term's late policy) is subtracted where it exists.

What it reads, each from where it is decided:
- scores, manual grades and TA comments: the gradebook (nbgrader's database);
- why a unit failed: the failed test cells of autograded/<student>/<a>/<nb>.ipynb (trusted
  grading's verdict in the cell's metadata, else its error output's message), reduced to the
  likely bug by `grader_tests.framework.reports.diagnosis`; kernel deaths and timeouts
  (`KernelDied`, `NotRun` outputs) from the same notebooks;
- intake outcomes: reports/<a>_intake.json (grader_tests/framework/pipeline/intake.py); submissions the
  last autograde run did not grade: reports/<a>_autograde_failures.json (tools/course.py);
- per-notebook run records, when the grading run wrote them:
  reports/<a>/runs/<student>/<notebook stem>.json ({"wall_seconds", "limits_hit", "usage", ...});
  without them the grading time is the sum of the kernel's cell times in the autograded notebook;
- the answers, for similarity (`grader_tests.framework.reports.similarity`), from the autograded
  notebooks, with the release notebook's template and given code as boilerplate.

Settings (nbgrader_config.py, `c.ClassReport.<name>`): `similarity_threshold`,
`max_pairs_shown`. Everything shown is a pointer for staff; nothing here changes a grade.
"""
import base64
import dataclasses
import datetime
import io
import json
import os
import pathlib
import statistics

import nbformat
from traitlets import Float, Int
from traitlets.config import Configurable

from grader_tests.framework.reports import diagnosis, similarity
from grader_tests.framework.contract import table

TEMPLATE = pathlib.Path(__file__).with_name("class_report.html.j2")
LMS_EXPORT = "lms_export.csv"      # the per-unit grade file (grade_files.UNITS_FILE)
# Verdicts of a unit's sandboxed run that did not finish (pipeline/grading.py): run outcomes,
# not bugs of the student's logic; the class report lists them as events too.
RUN_TIMEOUT_HINT = "run:timeout"
# A unit that lost points with no failure message (a partial-credit verdict prints its message
# as text): never expected, shown rather than hidden.
PARTIAL = "Partial credit"   # a passed verdict worth part of its points (grouped as one, whatever it printed)
NO_MESSAGE = "Lost points without a failure message: see the autograded notebook."


def format_points(x):
    """Points as every page shows them: at most two decimals, no trailing zeros."""
    return f"{round(float(x), 2):g}"


class ClassReport(Configurable):
    """Settings of the class report (set them in nbgrader_config.py as c.ClassReport.<name>)."""

    similarity_threshold = Float(
        similarity.SIMILARITY_THRESHOLD,
        help="Share of each answer's own tokens (after removing the template and given code) "
             "that must be found in the other answer for a pair to be listed").tag(config=True)
    max_pairs_shown = Int(12, help="Pairs shown side by side per answer cell").tag(config=True)


def course_settings(root):
    """The `ClassReport` settings from the course's nbgrader_config.py (defaults without it)."""
    import os
    from traitlets.config.loader import PyFileConfigLoader
    config = None
    if (pathlib.Path(root) / "nbgrader_config.py").exists():
        saved = dict(os.environ)   # the file sets the course's variables for nbgrader's processes
        try:
            config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return ClassReport(config=config)


# ---------------------------------------------------------------------------------------------
# Reading what grading left behind
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class UnitResult:
    score: float            # None: not graded yet (a written answer awaiting a TA)
    max_score: float
    diagnoses: list         # [Diagnosis] of its failing test cells, distinct, table order
    comment: str = ""       # the TA's comment (manual units)
    state: str = ""         # manual units: "graded by TA", "to do", "unanswered" (nbgrader gave 0)


@dataclasses.dataclass
class Submission:
    """What the report knows of one student's submission."""
    student: str
    graded: bool                          # False: the last autograde run did not grade it
    units: dict                           # {unit id: UnitResult}
    tests: dict                           # {test grade_id: (score, max_score)}
    answers: dict                         # {unit id: answer cell source} (code units)
    intake: dict                          # {notebook: {"outcome", "detail"}}
    run_events: list                      # [(notebook, kind, detail)]
    seconds: float                        # grading time
    timing_source: str                    # "run record" or "kernel cell times"
    limits_hit: list
    not_graded_reason: str = ""
    penalty: float = 0.0                  # late penalty in points (reports/<a>/lateness.json)

    @property
    def total(self):
        """(points of the graded units, their maximum): the points so far."""
        got = [r.score for r in self.units.values() if r.score is not None]
        return sum(got), sum(r.max_score for r in self.units.values() if r.score is not None)

    @property
    def pending(self):
        """Points not graded yet (written answers awaiting a TA): shown as pending, never as lost."""
        return sum(r.max_score for r in self.units.values() if r.score is None) if self.graded else 0.0

    @property
    def so_far(self):
        """The points so far, late penalty subtracted (never below 0)."""
        return max(self.total[0] - self.penalty, 0.0)

    @property
    def final(self):
        """The assignment's points once everything is graded (late penalty subtracted, never below
        0); None while points are pending or the submission was not graded."""
        if not self.graded or self.pending:
            return None
        return max(self.total[0] - self.penalty, 0.0)


@dataclasses.dataclass
class ClassData:
    assignment: str
    table: object
    submissions: dict                     # {student: Submission}
    manual_units: list
    late_policy: bool = False             # reports/<a>/lateness.json exists: a late-penalty column

    @property
    def max_points(self):
        """The assignment's points: every student's total is out of this one number."""
        return sum(u.total_points for u in self.table.units)


def _read_json(path, default):
    try:
        return json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError):
        return default


LATENESS = "lateness.json"   # reports/<a>/lateness.json: {student: {"penalty_points": float, ...}}


def late_penalties(root, assignment):
    """{student: late penalty in points}, or None when the term's late policy wrote no
    reports/<assignment>/lateness.json (then no penalty column is shown anywhere)."""
    records = _read_json(pathlib.Path(root) / "reports" / assignment / LATENESS, None)
    if not isinstance(records, dict):
        return None
    return {student: float((record or {}).get("penalty_points") or 0.0) for student, record in records.items()}


def execution_seconds(metadata):
    """Wall time of one executed cell, from the timestamps nbclient records in its metadata
    (tools/cell_timings.py prints them per cell)."""
    ex = metadata.get("execution", {})
    if "iopub.execute_input" not in ex or "shell.execute_reply" not in ex:
        return 0.0
    parse = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(ex["shell.execute_reply"]) - parse(ex["iopub.execute_input"])).total_seconds()


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _read_notebook(path):
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception:  # missing or unreadable: the intake and failure records say why
        return None


def gradebook_url(root):
    """The gradebook nbgrader_config.py names: $COURSE_DB_URL, else the course's SQLite file
    (the config file states the same rule for nbgrader itself)."""
    return (os.environ.get("COURSE_DB_URL")
            or f"sqlite:///{pathlib.Path(root) / 'gradebook.db'}?timeout=60")


def _gradebook_rows(root, assignment, db_url):
    """{student: ({grade name: Grade-like dict}, {comment name: text})} from the gradebook."""
    from nbgrader.api import Gradebook
    rows = {}
    db_url = db_url or gradebook_url(root)
    with Gradebook(db_url) as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except Exception:  # the assignment was never autograded
            return rows
        for sub in submissions:
            grades, comments = {}, {}
            for nb in sub.notebooks:
                for g in nb.grades:
                    grades[g.name] = {"auto": g.auto_score, "manual": g.manual_score,
                                      "max": g.max_score, "needs_manual": g.needs_manual_grade,
                                      "extra": g.extra_credit or 0.0}
                for c in nb.comments:
                    comments[c.name] = c.manual_comment or ""
            rows[sub.student_id] = (grades, comments)
    return rows


def _score(grade):
    if grade["manual"] is not None:
        return grade["manual"] + grade["extra"]
    if grade["auto"] is not None:
        return grade["auto"] + grade["extra"]
    return None


def _unit_results(assignment_table, grades, comments, graded):
    """({unit id: UnitResult} without diagnoses, {test grade_id: (score, max)}) of one student."""
    units, tests = {}, {}
    for unit in assignment_table.units:
        ids = unit.test_ids if unit.tests else [unit.id]
        present = [grades[i] for i in ids if i in grades]
        scores = [_score(g) for g in present]
        score = (None if not graded or not present or any(s is None for s in scores)
                 else float(sum(scores)))
        state = ""
        if unit.kind == table.MANUAL and present and graded:
            state = ("graded by TA" if present[0]["manual"] is not None else
                     "to do" if present[0]["needs_manual"] else "unanswered")
        units[unit.id] = UnitResult(score, float(sum(g["max"] for g in present)) or unit.total_points,
                                    [], comments.get(unit.id, ""), state)
        tests.update({t: (_score(grades[t]), grades[t]["max"]) for t in unit.test_ids
                      if t in grades and graded})
    return units, tests


def named(found):
    """`found` (a Diagnosis), or the one that says a check failed without a message when its label
    is only an exception's name ("AssertionError:"): no report lists a bare name as a diagnosis."""
    from grader_tests.framework.reports.grading_views import BARE_FAILURE, readable
    if readable(found.label) == BARE_FAILURE or readable(found.sentence) == BARE_FAILURE:
        return diagnosis.Diagnosis(BARE_FAILURE, BARE_FAILURE, BARE_FAILURE)
    return found


@dataclasses.dataclass
class _Findings:
    """What one student's autograded notebooks and run records say, beyond the scores."""
    answers: dict = dataclasses.field(default_factory=dict)   # {unit: answer cell source}
    events: list = dataclasses.field(default_factory=list)    # [(notebook, kind, detail)]
    failing: dict = dataclasses.field(default_factory=dict)   # {unit: [(Diagnosis, from a hidden test)]}
    printed: dict = dataclasses.field(default_factory=dict)   # {test id: first line a passed verdict printed}
    seconds: float = 0.0
    timing: str = "kernel cell times"
    limits: list = dataclasses.field(default_factory=list)

    def read_record(self, name, record):
        self.timing = "run record"
        self.seconds += float(record.get("wall_seconds") or 0.0)
        for limit in record.get("limits_hit") or []:
            self.limits.append(str(limit))
            self.events.append((name, "resource limit", f"{limit} limit reached"))

    def read_notebook(self, name, nb, test_cells, timed):
        """Answers, failures (diagnosed), kernel deaths and cells not run of one notebook;
        `timed`: add its cells' times to the grading time (no run record for it)."""
        not_run = 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if timed:
                self.seconds += execution_seconds(cell.get("metadata", {}))
            gid = _grade_id(cell)
            if gid and cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                self.answers[gid] = cell.source
            if gid in test_cells:
                text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                               if o.get("output_type") == "stream").strip()
                self.printed[gid] = text.splitlines()[0] if text else ""
            for out in cell.get("outputs", []):
                if out.get("output_type") != "error":
                    continue
                ename, evalue = out.get("ename"), str(out.get("evalue", ""))
                not_run += ename == "NotRun"
                if ename == "KernelDied":
                    kind = "timeout" if "did not finish" in evalue else "kernel died"
                    self.events.append((name, kind, f"in cell {gid or '(ungraded)'}: {evalue}"))
                elif ename != "NotRun" and gid in test_cells:   # a test cell's error: the grader's verdict
                    unit, test = test_cells[gid]
                    verdict = diagnosis.verdict_of(cell)
                    if verdict is not None and verdict.symptom in ("run", "stopped"):
                        timeout = verdict.hint is not None and verdict.hint.id == RUN_TIMEOUT_HINT
                        self.events.append((name, "grader timeout" if timeout else "grader run stopped",
                                            f"{unit.id}: {evalue}"))
                    found = named(diagnosis.of_cell(cell) or diagnosis.of_message(evalue))
                    seen = self.failing.setdefault(unit.id, [])
                    if found.key not in [d.key for d, _ in seen]:
                        seen.append((found, test.aspect is not None))
        if not_run:
            self.events.append((name, "cells not run", f"{not_run} cells after the kernel stopped"))

    def diagnose(self, assignment_table, units, tests):
        """Attach the diagnoses to `units`: a hidden test's (it names the likely bug; "the
        visible test failed" only says that it did), else the visible test's; a unit that lost
        points on a passed, partial-credit verdict gets that verdict's words."""
        for unit, found in self.failing.items():
            units[unit].diagnoses = [d for d, hidden in found if hidden] or [d for d, _ in found]
        for unit in assignment_table.autograded_units:
            result = units[unit.id]
            if result.score is None or result.score >= result.max_score or result.diagnoses:
                continue
            lost = [t for t in unit.test_ids if t in tests and tests[t][0] is not None
                    and tests[t][0] < tests[t][1]]
            words = next((self.printed[t] for t in lost if self.printed.get(t)), "")
            result.diagnoses.append(diagnosis.Diagnosis(PARTIAL, PARTIAL, f"{PARTIAL}: {words}") if words
                                    else diagnosis.Diagnosis(NO_MESSAGE, NO_MESSAGE, NO_MESSAGE))


def collect(root, assignment, db_url=None):
    """Everything the report shows, read once (`ClassData`)."""
    root = pathlib.Path(root)
    assignment_table = table.load(assignment)
    gradebook = _gradebook_rows(root, assignment, db_url)
    intake = _read_json(root / "reports" / f"{assignment}_intake.json", {})
    failures = _read_json(root / "reports" / f"{assignment}_autograde_failures.json", {})
    runs_dir = root / "reports" / assignment / "runs"
    test_cells = assignment_table.test_cells()
    submissions = {}
    for student in sorted(set(gradebook) | set(failures) | set(intake)):
        grades, comments = gradebook.get(student, ({}, {}))
        graded = student in gradebook and student not in failures
        units, tests = _unit_results(assignment_table, grades, comments, graded)
        findings = _Findings()
        for name in assignment_table.notebook_files:
            record = _read_json(runs_dir / student / f"{pathlib.Path(name).stem}.json", None)
            if record is not None:
                findings.read_record(name, record)
            nb = _read_notebook(root / "autograded" / student / assignment / name) if graded else None
            if nb is not None:
                findings.read_notebook(name, nb, test_cells, timed=record is None)
        findings.diagnose(assignment_table, units, tests)
        events = [(notebook, f"intake: {o['outcome']}", o.get("detail", ""))
                  for notebook, o in intake.get(student, {}).items() if o.get("outcome") not in (None, "ok")]
        submissions[student] = Submission(
            student, graded, units, tests, findings.answers, intake.get(student, {}),
            events + findings.events, findings.seconds, findings.timing, sorted(set(findings.limits)),
            failures.get(student) or ("" if graded else "no grades in the gradebook"))
    manual = [u for u in assignment_table.units if u.kind == table.MANUAL]
    penalties = late_penalties(root, assignment)
    for student, penalty in (penalties or {}).items():
        if student in submissions:
            submissions[student].penalty = penalty
    return ClassData(assignment, assignment_table, submissions, manual, late_policy=penalties is not None)


# ---------------------------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------------------------

def unit_statistics(data):
    """{unit id: {"scores", "max", "mean", "median", "full_share", "graded", "tests"}}:
    the distribution of graded scores and each test cell's pass rate (full points)."""
    out = {}
    for unit in data.table.units:
        scores = [s.units[unit.id].score for s in data.submissions.values()
                  if s.graded and s.units[unit.id].score is not None]
        top = unit.total_points
        tests = []
        for test_id in unit.test_ids:
            results = [s.tests[test_id] for s in data.submissions.values()
                       if test_id in s.tests and s.tests[test_id][0] is not None]
            passed = sum(1 for got, mx in results if got >= mx > 0)
            tests.append({"id": test_id, "passed": passed, "of": len(results),
                          "rate": passed / len(results) if results else None})
        out[unit.id] = {
            "scores": scores, "max": top, "graded": len(scores),
            "mean": statistics.fmean(scores) if scores else None,
            "median": statistics.median(scores) if scores else None,
            "full_share": (sum(1 for s in scores if s >= top) / len(scores)) if scores else None,
            "tests": tests,
        }
    return out


def total_statistics(data):
    """The distribution of the students' totals, all out of the assignment's points:
    {"n", "max", "mean", "median", "stdev", "min", "high", "pending_students", "pending_points"}
    over the graded submissions' points so far (late penalty subtracted). A student with
    written answers awaiting a TA counts with the points graded so far, and is counted in
    `pending_students` (the page says the totals are then lower bounds)."""
    graded = [s for s in data.submissions.values() if s.graded]
    totals = [s.so_far for s in graded]
    pending = [s for s in graded if s.pending]
    return {"n": len(totals), "max": data.max_points,
            "mean": statistics.fmean(totals) if totals else None,
            "median": statistics.median(totals) if totals else None,
            "stdev": statistics.pstdev(totals) if totals else None,
            "min": min(totals) if totals else None, "high": max(totals) if totals else None,
            "pending_students": len(pending), "pending_points": sum(s.pending for s in pending)}


def diagnosis_table(data):
    """{unit id: [{"key", "label", "students"}]}, most frequent diagnosis first: what went
    wrong in each unit, grouped by likely bug (each student counted once per diagnosis)."""
    out = {}
    for unit in data.table.units:
        groups = {}
        for student, sub in sorted(data.submissions.items()):
            for found in sub.units[unit.id].diagnoses:
                entry = groups.setdefault(found.key, {"key": found.key, "label": found.label,
                                                      "students": []})
                entry["students"].append(student)
        if groups:
            out[unit.id] = sorted(groups.values(), key=lambda g: (-len(g["students"]), g["key"]))
    return out


def manual_progress(data):
    """[{"unit", "points", "graded", "to_do", "unanswered", "mean"}] per written question:
    answers a TA graded, answers awaiting a TA, and cells left as released (nbgrader scores
    those 0 itself); the mean is over the TA-graded answers."""
    rows = []
    for unit in data.manual_units:
        states = [s.units[unit.id] for s in data.submissions.values() if s.graded]
        done = [r.score for r in states if r.state == "graded by TA"]
        rows.append({"unit": unit.id, "points": unit.total_points, "graded": len(done),
                     "to_do": sum(r.state == "to do" for r in states),
                     "unanswered": sum(r.state == "unanswered" for r in states),
                     "mean": statistics.fmean(done) if done else None})
    return rows


def _release_cells(root, assignment, notebook):
    path = pathlib.Path(root) / "release" / assignment / notebook
    nb = _read_notebook(path)
    return nb.cells if nb is not None else []


def similarity_by_unit(data, root, threshold):
    """{unit id: {"pairs": [SimilarPair], "groups": [[student]]}} for every code answer cell."""
    out = {}
    for unit in data.table.code_units:
        cells = _release_cells(root, data.assignment, data.table.notebook_of(unit))
        template = [c.source for c in cells if _grade_id(c) == unit.id]
        given = [c.source for c in cells if c.cell_type == "code"
                 and not c.get("metadata", {}).get("nbgrader", {}).get("solution")]
        answers = {s.student: s.answers[unit.id] for s in data.submissions.values()
                   if s.graded and unit.id in s.answers}
        pairs = similarity.similar_pairs(answers, template + given, threshold)
        out[unit.id] = {"pairs": pairs, "groups": similarity.groups(pairs), "compared": len(answers)}
    return out


# ---------------------------------------------------------------------------------------------
# Figures and pages
# ---------------------------------------------------------------------------------------------

def _png(fig):
    import matplotlib.pyplot as plt
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def histogram(scores, max_score, title, whole=None):
    """An embedded PNG (data URI) of `histogram_figure`."""
    return _png(histogram_figure(scores, max_score, title, whole))


def histogram_figure(scores, max_score, title, whole=None):
    """A score distribution on [0, max_score] (a matplotlib figure). `whole` (default: whether
    every score and the maximum are whole numbers): bars of whole points and ticks on whole
    points only (at most about 12), never a tick between two points."""
    from matplotlib.ticker import FixedLocator, MaxNLocator
    plt = _pyplot()
    if whole is None:
        whole = float(max_score).is_integer() and all(float(x).is_integer() for x in scores)
    fig, ax = plt.subplots(figsize=(3.4, 2.0))
    if whole:
        step = max(1, int(-(-max_score // 20)))          # whole points per bar
        edges = [k * step - 0.5 for k in range(int(max_score // step) + 2)]
    else:
        step = 0.5 if max_score <= 4 else max(1.0, round(max_score / 10))
        edges = [k * step - step / 2 for k in range(int(max_score / step) + 2)]
    ax.hist(scores, bins=edges, color="#4c72b0", edgecolor="white")
    ax.set_xlim(-0.5 * step - 0.3, max_score + 0.5 * step + 0.3)
    if whole and max_score <= 12:
        ax.xaxis.set_major_locator(FixedLocator(range(0, int(max_score) + 1)))
    elif whole:                     # ticks far enough apart for their labels
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8 if max_score < 100 else 5, integer=True))
    ax.set_xlabel("points")
    ax.set_ylabel("students")
    ax.set_title(title, fontsize=9)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def timing_figure(timing):
    """Grading seconds per submission as horizontal bars, slowest on top (an embedded PNG)."""
    plt = _pyplot()
    rows = list(reversed(timing))            # slowest first in `timing`; matplotlib draws bottom-up
    fig, ax = plt.subplots(figsize=(6.0, 0.28 * len(rows) + 0.9))
    colours = ["#c44e52" if limits else "#4c72b0" for _, _, _, limits in rows]
    ax.barh([student for _, student, _, _ in rows], [seconds for seconds, _, _, _ in rows], color=colours)
    ax.set_xlabel("seconds to grade (red: a resource limit was reached)")
    ax.tick_params(axis="y", labelsize=8)
    return _png(fig)


def progress_figure(manual):
    """Manual grading per written question as stacked bars: graded by a TA, still to grade, left
    unanswered (an embedded PNG)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 0.4 * len(manual) + 1.0))
    names = [m["unit"] for m in manual]
    left = [0] * len(manual)
    for key, label, colour in (("graded", "graded by a TA", "#55a868"), ("to_do", "still to grade", "#dd8452"),
                               ("unanswered", "left unanswered", "#bbbbbb")):
        values = [m[key] for m in manual]
        ax.barh(names, values, left=left, color=colour, label=label)
        left = [a + b for a, b in zip(left, values)]
    ax.set_xlabel("answers")
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _png(fig)


def student_table(data, roster=None):
    """Rows of the sortable student x unit table: {"student", "name", "cells": [(text, sort key,
    css class)], "points", "pending", "penalty", "final", "graded", "reason"}."""
    roster = roster or {}
    rows = []
    for student, sub in sorted(data.submissions.items()):
        person = roster.get(student, {})
        name = " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p)
        cells = []
        for unit in data.table.units:
            result = sub.units[unit.id]
            if not sub.graded:
                cells.append(("-", -1, "none"))
            elif result.score is None:
                cells.append(("pending", -0.5, "pending"))
            else:
                css = "full" if result.score >= result.max_score else "zero" if result.score == 0 else "part"
                cells.append((format_points(result.score), result.score, css))
        rows.append({"student": student, "name": name, "cells": cells, "graded": sub.graded,
                     "points": sub.so_far if sub.graded else None, "pending": sub.pending,
                     "penalty": sub.penalty, "final": sub.final, "reason": sub.not_graded_reason})
    return rows


def similarity_overview(similar):
    """Every flagged pair of every answer cell, most similar first: [{"unit", "pair", "anchor"}]."""
    ranked = [{"unit": unit, "pair": pair, "anchor": f"pair-{unit}-{pair.first}-{pair.second}"}
              for unit, sim in similar.items() for pair in sim["pairs"]]
    return sorted(ranked, key=lambda r: (-min(r["pair"].similarity), r["unit"], r["pair"].first))


def _environment():
    import jinja2
    import markupsafe
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE.parent)),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda x: "-" if x is None else format_points(x)
    env.filters["pct"] = lambda x: "-" if x is None else f"{100 * x:.0f}%"
    # a unit id may break after its underscores (narrow table headings), nowhere else
    env.filters["breakable"] = lambda text: markupsafe.Markup(str(markupsafe.escape(text)).replace("_", "_<wbr>"))
    return env


def render(data, root, settings, grade_files_written=None, warnings=()):
    """The report page as HTML text."""
    from grader_tests.framework.reports import grade_files
    stats = unit_statistics(data)
    figures = {u: histogram(s["scores"], s["max"], u) for u, s in stats.items() if s["scores"]}
    totals = total_statistics(data)
    so_far = [s.so_far for s in data.submissions.values() if s.graded]
    figures["__total__"] = histogram(so_far, data.max_points, "total so far") if so_far else None
    outcomes = [(s.student, *event) for s in data.submissions.values() for event in s.run_events]
    outcomes += [(s.student, "-", "not graded", s.not_graded_reason)
                 for s in data.submissions.values() if not s.graded]
    timing = sorted(((s.seconds, s.student, s.timing_source, s.limits_hit)
                     for s in data.submissions.values() if s.graded), reverse=True)
    manual = manual_progress(data)
    figures["__timing__"] = timing_figure(timing) if timing else None
    figures["__manual__"] = progress_figure(manual) if manual else None
    similar = similarity_by_unit(data, root, settings.similarity_threshold)
    return _environment().get_template(TEMPLATE.name).render(
        data=data, stats=stats, totals=totals, figures=figures, diagnoses=diagnosis_table(data),
        manual=manual, outcomes=sorted(outcomes), timing=timing, similar=similar,
        overview=similarity_overview(similar), students=student_table(data, grade_files.read_roster(root)),
        settings=settings, files=grade_files_written or {}, warnings=list(warnings),
        generated=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))


def write_report(root, assignment, db_url=None, settings=None, warnings=None):
    """Write reports/<assignment>/index.html and the grade files (grade_files.py: Canvas,
    Moodle, per-unit); returns the page's path. The warnings (students missing from the roster,
    totals pending) are on the page, and appended to the list `warnings` when one is given."""
    from grader_tests.framework.reports import grade_files
    root = pathlib.Path(root)
    settings = settings or course_settings(root)
    data = collect(root, assignment, db_url)
    out = root / "reports" / assignment
    out.mkdir(parents=True, exist_ok=True)
    paths, found = grade_files.write_grade_files(root, data, out)
    page = out / "index.html"
    page.write_text(render(data, root, settings, {k: p.name for k, p in paths.items()}, found))
    if warnings is not None:
        warnings.extend(found)
    return page


# ---------------------------------------------------------------------------------------------
# The course index: every assignment on one page
# ---------------------------------------------------------------------------------------------

INDEX_TEMPLATE = TEMPLATE.with_name("course_index.html.j2")


def course_rows(root, datasets):
    """Per student, each assignment's points so far, pending points and final total, and the
    course's sums: [{"student", "name", "cells": {assignment: {...}}, "points", "pending", "max"}]."""
    from grader_tests.framework.reports import grade_files
    roster = grade_files.read_roster(root)
    students = list(roster) + sorted({s for d in datasets for s in d.submissions} - set(roster))
    rows = []
    for student in students:
        person = roster.get(student, {})
        cells, points, pending = {}, 0.0, 0.0
        for data in datasets:
            sub = data.submissions.get(student)
            if sub is None or not sub.graded:
                cells[data.assignment] = {"text": "-" if sub is None else "not graded", "sort": -1,
                                          "css": "none"}
                continue
            points += sub.so_far
            pending += sub.pending
            text = f"{format_points(sub.so_far)}" + (f" (+{format_points(sub.pending)} pending)" if sub.pending else "")
            cells[data.assignment] = {"text": text, "sort": sub.so_far,
                                      "css": "pending" if sub.pending else "done"}
        rows.append({"student": student, "name": " ".join(p for p in (person.get("first_name"),
                                                                     person.get("last_name")) if p),
                     "cells": cells, "points": points, "pending": pending})
    return rows


def render_index(root, datasets):
    """The course index page (reports/index.html) as HTML text."""
    top = sum(d.max_points for d in datasets)
    rows = course_rows(root, datasets)
    totals = [r["points"] for r in rows if any(c["sort"] >= 0 for c in r["cells"].values())]
    assignments = [{"name": d.assignment, "max": d.max_points, "stats": total_statistics(d),
                    "graded": sum(s.graded for s in d.submissions.values())} for d in datasets]
    figure = histogram(totals, top, "course total so far") if totals else None
    return _environment().get_template(INDEX_TEMPLATE.name).render(
        assignments=assignments, rows=rows, top=top, figure=figure,
        stats={"n": len(totals), "mean": statistics.fmean(totals) if totals else None,
               "median": statistics.median(totals) if totals else None,
               "stdev": statistics.pstdev(totals) if totals else None},
        generated=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))


def write_index(root, assignments=None, db_url=None):
    """Write reports/index.html for `assignments` (default: every assignment of the course that
    has a report); returns its path."""
    root = pathlib.Path(root)
    names = assignments or [a for a in table.assignments(root) if (root / "reports" / a / "index.html").exists()]
    datasets = [collect(root, a, db_url) for a in names]
    page = root / "reports" / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render_index(root, datasets))
    return page
