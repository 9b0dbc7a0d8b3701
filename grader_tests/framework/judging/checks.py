"""Hidden tests run in one process: the notebook's hidden blocks (interactive use by an
instructor, `nbgrader validate`) and the project's tests call `run_check`. It takes the same two
halves as autograde (`probe_runner.probe_unit`, then `outcome.cell_outcome`), without the
sandbox, and raises `GradingFailure` with the verdict.

In an assignment's hidden test cells: `from grader_tests.<assignment> import check`, then
`check("<unit>", "<aspect>")` (written there from the unit table by tools/notebooks.py).
"""
import pathlib
import tempfile

from grader_tests.framework.contract import table
from grader_tests.framework.judging.namespace import given_for
from grader_tests.framework.judging.outcome import cell_outcome, judge_module, unit_files
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.sandboxed.harness import GradingFailure
from grader_tests.framework.sandboxed.probe_runner import probe_unit


def outcome(assignment, unit_id, aspect, source=None, assignment_table=None, submission_dir="."):
    """The `Verdict` of hidden test (unit, aspect) for the answer `source` (default:
    the answer cell, from the running kernel or the notebook on disk); files a unit reads come
    from `submission_dir` (default: the working folder, the notebook's)."""
    assignment_table = assignment_table or table.load(assignment)
    unit = assignment_table.unit(unit_id)
    test = next(t for t in unit.tests if t.aspect == aspect)
    harness.deterministic_numerics()
    if source is None:
        source = harness.answer_source(unit_id, unit.defines)
    judge = judge_module(assignment_table)
    devices = [str(d) for d in harness.grading_devices()]
    aspects = [aspect] if unit.is_code else []
    with tempfile.TemporaryDirectory(prefix="check-files-") as work:
        names = unit_files(unit, judge, submission_dir, pathlib.Path(work))
        files = {n: (str(pathlib.Path(work, f)) if f else None) for n, f in names.items()}
        result, arrays = probe_unit(assignment_table.package_name, unit_id, given_for(assignment_table, unit_id),
                                    source, {}, aspects, devices, files=files or None)
    test_id = unit.test_id(test)
    result["visible"] = {test_id: None}   # the kernel runs the visible part itself
    return cell_outcome(assignment_table, unit_id, test, test_id, True, result, arrays, devices,
                        source), devices


def run_check(assignment, unit_id, aspect, source=None):
    """Raise GradingFailure with the message of hidden test (unit, aspect), or print the verdict;
    a partial-credit verdict returns the points (a test cell's last value is its score)."""
    verdict, devices = outcome(assignment, unit_id, aspect, source)
    if not verdict.passed:
        raise GradingFailure(verdict)
    print(verdict.message.replace(", outside your kernel", ""))
    if verdict.score is None:
        return None
    test = next(t for t in table.load(assignment).unit(unit_id).tests if t.aspect == aspect)
    return round(test.points * verdict.score, 2)


def checker(assignment):
    """`check(unit, aspect)` bound to one assignment, for its notebooks' hidden test cells."""
    def check(unit_id, aspect, source=None):
        return run_check(assignment, unit_id, aspect, source)
    check.__doc__ = f"Run hidden test (unit, aspect) of {assignment} on your answer cell."
    return check
