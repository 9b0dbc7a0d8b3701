"""A test cell's verdict from its unit's probe data (the trusted half of grading), in the order
every unit shares: the answer cell ran at all, "not answered yet", the unit's rules, the visible
tests, then the unit's judge (grader_tests/<assignment>/judge.py: `JUDGES`, one `UnitJudge` per
unit). Every verdict is a grader_tests/framework/contract/verdict.py `Verdict`.
"""
import importlib
import pathlib
import shutil

import numpy as np

from grader_tests.framework.contract import rules, table
from grader_tests.framework.contract import verdict as v
from grader_tests.framework.contract.verdict import Hint, Verdict
from grader_tests.framework.judging.kinds import Judging
from grader_tests.framework.sandboxed import harness

MAX_SUBMITTED_BYTES = 64 * 2**20   # a submitted file beyond this is not even copied


def judge_module(assignment_table):
    return importlib.import_module(f"{assignment_table.package_name}.judge")


def probe_module(assignment_table):
    return importlib.import_module(f"{assignment_table.package_name}.probe")


def rule_verdict(rule_name, sentence):
    """A broken rule of the unit's contract: its sentence is the whole message."""
    return Verdict(False, hint=Hint(f"rule:{rule_name}", sentence), symptom="rule")


def visible_failure(test_id, failure):
    """The visible part of a test cell failed on the student's code (`failure`: 'Name: message'
    as harness.describe_exception writes it)."""
    name, _, text = str(failure).partition(":")
    text = text.strip()
    if text:
        problem = f"fails: {name}: {text}"
    else:
        problem = (f"fails with {name} and no message: run that cell in your notebook to see which of "
                   "its checks fails")
    return v.failed(f"The visible test `{test_id}`", problem, symptom="visible")


def cell_outcome(assignment_table, unit_id, test, test_id, hidden, result, arrays, devices, answer):
    """The `Verdict` of one test cell from the unit's probe data (`probe_runner.probe_unit`);
    `hidden`: whether the cell (as restored from the gradebook) holds a hidden part to judge."""
    unit = assignment_table.unit(unit_id)
    if result.get("load_error"):
        return Verdict.from_dict(result["load_error"])
    probed = [i for i in result.get("infos", {}).get(test.aspect) or [] if not (isinstance(i, dict) and i.get("extra"))]
    if probed and all(isinstance(i, dict) and i.get("error") == harness.NOT_ANSWERED for i in probed):
        # a stub: say so before a rule that looks for what the missing code would have called
        return v.not_answered(f"The answer cell `{unit_id}`")
    for rule_name, sentence in (rules.static_violation(unit.rules, answer, named=True),
                                rules.runtime_violation(unit.rules, result.get("rules"), named=True)):
        if sentence:
            return rule_verdict(rule_name, sentence)
    visible = result.get("visible", {}).get(test_id, "not run")
    if visible is not None:
        if str(visible).startswith("NotImplementedError"):
            return v.not_answered(f"The answer cell `{unit_id}`")
        return visible_failure(test_id, visible)
    if not hidden:
        return v.passed(f"{test_id}: passed")
    module = judge_module(assignment_table)
    if unit.kind == table.VALUE:
        found = module.JUDGES[unit_id].judge_values(test.aspect, result.get("values", {}))
    else:
        probe = probe_module(assignment_table).PROBES[unit_id]
        found = module.JUDGES[unit_id].judge(Judging(unit, test.aspect, result.get("infos", {}).get(test.aspect, []),
                                                     arrays, devices, probe))
    if found is not None:
        return found
    if unit.kind == table.VALUE:
        return v.passed(f"{test_id}: correct")
    return v.passed(f"{unit_id} ({test.aspect}): checked on {', '.join(devices)}, outside your kernel")


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
