"""The class report of one assignment, for instructors and TAs (SPEC 10):
`reports/<assignment>/index.html` (one offline page: figures are embedded PNGs, no script, no
CDN) and `reports/<assignment>/lms_export.csv` (per-unit points an LMS imports).

    python tools/course.py report [ASSIGNMENT ...]     # also writes reports/<a>_scores.{md,csv}

What it reads, each from where it is decided:
- scores, manual grades and TA comments: the gradebook (nbgrader's database);
- why a unit failed: the failing test cells' outputs in autograded/<student>/<a>/<nb>.ipynb
  (trusted grading writes `GradingFailure: <message>` there), reduced to the likely bug by
  `grader_tests.framework.reports.diagnosis`; kernel deaths and timeouts (`KernelDied`, `NotRun`
  outputs) from the same notebooks;
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
import csv
import dataclasses
import datetime
import io
import json
import os
import pathlib
import re
import statistics

import nbformat
from traitlets import Float, Int
from traitlets.config import Configurable

from grader_tests.framework.reports import diagnosis, similarity
from grader_tests.framework.contract import table

TEMPLATE = pathlib.Path(__file__).with_name("class_report.html.j2")
LMS_EXPORT = "lms_export.csv"
# Messages trusted grading writes when a unit's sandboxed run did not finish (trusted.py):
# run outcomes, not bugs of the student's logic.
_PROBE_TIMEOUT = re.compile(r"^Your code did not finish within")
_PROBE_STOPPED = re.compile(r"^Your code .*(could not be graded|ended the grader's process)")
# A unit that lost points with no failure message (a partial-credit verdict prints its message
# as text): never expected, shown rather than hidden.
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

    @property
    def total(self):
        got = [r.score for r in self.units.values() if r.score is not None]
        return sum(got), sum(r.max_score for r in self.units.values() if r.score is not None)


@dataclasses.dataclass
class ClassData:
    assignment: str
    table: object
    submissions: dict                     # {student: Submission}
    manual_units: list


def _read_json(path, default):
    try:
        return json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError):
        return default


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
                elif ename == "GradingFailure" and gid in test_cells:
                    unit, test = test_cells[gid]
                    if _PROBE_TIMEOUT.search(evalue):
                        self.events.append((name, "grader timeout", f"{unit.id}: {evalue}"))
                    elif _PROBE_STOPPED.search(evalue):
                        self.events.append((name, "grader run stopped", f"{unit.id}: {evalue}"))
                    found = diagnosis.diagnose(evalue)
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
            result.diagnoses.append(diagnosis.diagnose(f"Partial credit: {words}") if words
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
    return ClassData(assignment, assignment_table, submissions, manual)


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


def lms_rows(data):
    """Header and rows of the LMS export: student_id, one column per unit (points; empty when
    not graded yet), total (points of the graded units)."""
    units = [u.id for u in data.table.units]
    rows = [["student_id"] + units + ["total"]]
    for student, sub in sorted(data.submissions.items()):
        cells = []
        for unit in units:
            score = sub.units[unit].score if sub.graded else None
            cells.append("" if score is None else format_points(score))
        rows.append([student] + cells + ([format_points(sub.total[0])] if sub.graded else [""]))
    return rows


# ---------------------------------------------------------------------------------------------
# Figures and page
# ---------------------------------------------------------------------------------------------

def _png(fig):
    import matplotlib.pyplot as plt
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def histogram(scores, max_score, title):
    """An embedded PNG (data URI) of a score distribution on [0, max_score]."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(3.4, 2.0))
    step = 0.5 if max_score <= 4 else max(1.0, round(max_score / 10))
    edges = [k * step - step / 2 for k in range(int(max_score / step) + 2)]
    ax.hist(scores, bins=edges, color="#4c72b0", edgecolor="white")
    ax.set_xlim(-step, max_score + step)
    ax.set_xlabel("points")
    ax.set_ylabel("students")
    ax.set_title(title, fontsize=9)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return _png(fig)


def render(data, root, settings):
    """The report page as HTML text."""
    import jinja2
    stats = unit_statistics(data)
    figures = {u: histogram(s["scores"], s["max"], u) for u, s in stats.items() if s["scores"]}
    totals = [s.total[0] for s in data.submissions.values() if s.graded]
    top = sum(u.total_points for u in data.table.units)
    figures["__total__"] = histogram(totals, top, "total (graded units)") if totals else None
    outcomes = [(s.student, *event) for s in data.submissions.values() for event in s.run_events]
    outcomes += [(s.student, "-", "not graded", s.not_graded_reason)
                 for s in data.submissions.values() if not s.graded]
    timing = sorted(((s.seconds, s.student, s.timing_source, s.limits_hit)
                     for s in data.submissions.values() if s.graded), reverse=True)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE.parent)),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda x: "-" if x is None else format_points(x)
    env.filters["pct"] = lambda x: "-" if x is None else f"{100 * x:.0f}%"
    return env.get_template(TEMPLATE.name).render(
        data=data, stats=stats, figures=figures, diagnoses=diagnosis_table(data),
        manual=manual_progress(data), outcomes=sorted(outcomes), timing=timing,
        similar=similarity_by_unit(data, root, settings.similarity_threshold),
        settings=settings, top=top, lms_export=LMS_EXPORT,
        generated=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))


def write_report(root, assignment, db_url=None, settings=None):
    """Write reports/<assignment>/index.html and lms_export.csv; returns the page's path."""
    root = pathlib.Path(root)
    settings = settings or course_settings(root)
    data = collect(root, assignment, db_url)
    out = root / "reports" / assignment
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LMS_EXPORT, "w", newline="") as fh:
        csv.writer(fh).writerows(lms_rows(data))
    page = out / "index.html"
    page.write_text(render(data, root, settings))
    return page
