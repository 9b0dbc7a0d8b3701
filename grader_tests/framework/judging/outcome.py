"""A test cell's verdict from its unit's probe data (the trusted half of grading): the unit's
rules, "not answered yet", the visible tests' outcome, then the assignment's judge."""
import dataclasses
import importlib
import pathlib
import shutil

import numpy as np

from grader_tests.framework.contract import rules, table

MAX_SUBMITTED_BYTES = 64 * 2**20   # a submitted file beyond this is not even copied


@dataclasses.dataclass
class Outcome:
    passed: bool
    message: str
    score: float = None     # passed with partial credit: this fraction of the cell's points


def judge_module(assignment_table):
    return importlib.import_module(f"{assignment_table.package_name}.judge")


def cell_outcome(assignment_table, unit_id, test, test_id, hidden, result, arrays, devices, answer):
    """The verdict of one test cell from the unit's probe data (`probe_runner.probe_unit`);
    `hidden`: whether the cell (as restored from the gradebook) holds a hidden part to judge."""
    unit = assignment_table.unit(unit_id)
    if result.get("load_error"):
        return Outcome(False, result["load_error"])
    probed = result.get("infos", {}).get(test.aspect) or []
    if probed and all(isinstance(i, dict) and i.get("error") == "NotImplementedError" for i in probed):
        # a stub: say so before a rule that looks for what the missing code would have called
        return Outcome(False, f"The answer cell `{unit_id}` has not been answered yet (it raises "
                              "NotImplementedError).")
    violation = (rules.static_violation(unit.rules, answer)
                 or rules.runtime_violation(unit.rules, result.get("rules")))
    if violation:
        return Outcome(False, violation)
    visible = result.get("visible", {}).get(test_id, "not run")
    if visible is not None:
        if visible.startswith("NotImplementedError"):
            return Outcome(False, f"The answer cell `{unit_id}` has not been answered yet (it raises "
                                  "NotImplementedError).")
        return Outcome(False, f"The visible test failed: {visible}")
    if not hidden:
        return Outcome(True, f"{test_id}: passed")
    judge = judge_module(assignment_table)
    if unit.kind == table.VALUE:
        message = judge.judge_values(unit_id, test.aspect, result.get("values", {}))
    else:
        message = judge.judge_aspect(unit_id, test.aspect, result.get("infos", {}).get(test.aspect, []),
                                     arrays, devices)
    if isinstance(message, Outcome):   # a judge that scores (partial credit) returns its outcome
        return message
    if message:
        return Outcome(False, message)
    if unit.kind == table.VALUE:
        return Outcome(True, f"{test_id}: correct")
    return Outcome(True, f"{unit_id} ({test.aspect}): checked on {', '.join(devices)}, outside your kernel")


def unit_files(unit, judge, submission_dir, work):
    """Copy a unit's submitted files and the grader's inputs into `work`; returns {name: file
    name in work, or None}."""
    files = {}
    for name in unit.submitted_files:
        path = pathlib.Path(submission_dir or ".", name)
        target = f"{unit.id}.submitted.{name}"
        if path.is_file() and path.stat().st_size <= MAX_SUBMITTED_BYTES:
            shutil.copyfile(path, work / target)
            files[name] = target
        else:
            files[name] = None
    provider = getattr(judge, "grader_inputs", None)
    for name, array in (provider(unit.id) if provider else {}).items():
        target = f"{unit.id}.input.{name}.npy"
        np.save(work / target, array, allow_pickle=False)
        files[name] = target
    return files
