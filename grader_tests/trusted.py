"""Trusted grading: test-cell verdicts computed where the student's code never ran.

For one submitted notebook (as nbgrader holds it in memory, test cells restored from the
gradebook):
1. the answer cell of every graded unit and the visible parts of its test cells go, as text,
   into a spec; one sandboxed process (grader_tests/sandbox.py, grader_tests/probe_runner.py)
   runs each unit in a forked child and writes plain data back (JSON, and .npz read with
   allow_pickle=False);
2. this process, which imports the reference, judges that data (`judge_aspect` of the
   assignment's grader module) and returns one outcome per test cell.
The student's kernel still runs the notebook for the record, but its test-cell outputs are
replaced by these outcomes, so nothing it prints or patches reaches a verdict.

An assignment's grader module (grader_tests/<assignment>.py) provides `CODE_UNITS`, `UNITS`,
`ASPECTS`, `given_source(unit)`, `judge_aspect(...)`, and optionally `VALUE_UNITS`
({unit: names}) with `judge_values(unit, aspect, values)`; its probe module
(grader_tests/<assignment>_probe.py) provides `run_probes` and must not import `reference`.
"""
import dataclasses
import importlib
import json
import pathlib
import re
import shutil
import sys
import tempfile

import numpy as np

from grader_tests import harness, sandbox

PACKAGE = pathlib.Path(__file__).resolve().parent
BUNDLE_FILES = ("__init__.py", "harness.py", "numerics.py", "probe_runner.py")
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)
WALL_SECONDS = 30      # per unit; the slowest legitimate unit takes ~3 s on a laptop CPU
CPU_SECONDS = 120
MAX_RESULT_BYTES = 64 * 2**20


@dataclasses.dataclass
class Outcome:
    passed: bool
    message: str


def visible_part(source):
    """A test cell's source without its hidden-test block."""
    return HIDDEN.sub("", source)


def has_hidden(source):
    return bool(HIDDEN.search(source))


def grader_module(assignment):
    try:
        return importlib.import_module(f"grader_tests.{assignment}")
    except ModuleNotFoundError:
        return None


def test_unit_and_aspect(grader, test_id):
    """(unit, aspect) of a test cell `test_<unit>[_<aspect>]`; aspect None for the plain one."""
    name = test_id[len("test_"):]
    units = list(grader.CODE_UNITS) + list(getattr(grader, "VALUE_UNITS", {}))
    for unit in sorted(units, key=len, reverse=True):
        if name == unit:
            return unit, None
        if name.startswith(unit + "_"):
            return unit, name[len(unit) + 1:]
    return None, None


def _bundle(directory, assignment):
    pkg = pathlib.Path(directory) / "grader_tests"
    pkg.mkdir(parents=True)
    for name in BUNDLE_FILES + (f"{assignment}_probe.py",):
        shutil.copy(PACKAGE / name, pkg / name)
    return pkg.parent


@dataclasses.dataclass
class Pending:
    """Trusted grading under way: the sandboxed probes run while nbgrader runs the kernel."""
    grader: object
    spec: dict
    by_unit: dict
    outcomes: dict
    tmp: object = None
    work: pathlib.Path = None
    process: object = None


def start_grading(assignment, answers, tests, devices=None):
    """Start the sandboxed probes for a notebook; `finish_grading` collects and judges them.

    - answers: {grade_id: source} of the notebook's answer cells
    - tests: {test grade_id: full source (hidden part included)}
    """
    grader = grader_module(assignment)
    if grader is None:
        return None
    devices = devices or [str(d) for d in harness.grading_devices()]
    by_unit = {}
    for test_id, source in tests.items():
        unit, aspect = test_unit_and_aspect(grader, test_id)
        if unit is not None:
            by_unit.setdefault(unit, {})[test_id] = (aspect, source)
    value_units = getattr(grader, "VALUE_UNITS", {})
    spec = {"assignment": assignment, "devices": devices, "cpu_seconds": CPU_SECONDS,
            "wall_seconds": WALL_SECONDS, "units": []}
    pending = Pending(grader, spec, by_unit, {})
    for unit, cells in by_unit.items():
        if unit not in answers:
            for test_id in cells:
                pending.outcomes[test_id] = Outcome(False, f"The answer cell `{unit}` is missing "
                                                    "from the notebook: restore it (do not delete answer cells).")
            continue
        aspects = sorted({a for a, src in cells.values() if a and has_hidden(src) and unit not in value_units})
        spec["units"].append({
            "unit": unit, "names": list(grader.UNITS.get(unit, value_units.get(unit, ()))),
            "given": grader.given_source(unit), "answer": answers[unit],
            "visible": {t: visible_part(src) for t, (a, src) in cells.items()},
            "aspects": aspects, "values": list(value_units.get(unit, ())),
        })
    if spec["units"]:
        pending.tmp = tempfile.TemporaryDirectory(prefix="trusted-grading-")
        bundle = _bundle(pathlib.Path(pending.tmp.name) / "bundle", assignment)
        pending.work = pathlib.Path(pending.tmp.name) / "work"
        pending.work.mkdir()
        (pending.work / "spec.json").write_text(json.dumps(spec))
        pending.process = sandbox.Process(
            [sys.executable, "-m", "grader_tests.probe_runner", str(pending.work)],
            writable=[pending.work], readable=[bundle], chdir=pending.work,
            env={"PYTHONPATH": str(bundle)})
    return pending


def finish_grading(pending):
    """Wait for the probes and judge them: ({test grade_id: Outcome}, {unit: run status})."""
    if pending is None:
        return {}, {}
    outcomes, status, spec = dict(pending.outcomes), {}, pending.spec
    if pending.process is None:
        return outcomes, status
    try:
        code, stderr = pending.process.wait(timeout=WALL_SECONDS * len(spec["units"]) + 60)
        work = pending.work
        status = _read_json(work / "status.json") or {}
        for unit_spec in spec["units"]:
            unit = unit_spec["unit"]
            run = status.get(unit) or {"outcome": "lost", "runner": code, "stderr": stderr[-500:]}
            status[unit] = run
            result = _read_json(work / f"{unit}.json")
            arrays = _read_arrays(work / f"{unit}.npz")
            failure = _run_failure(run, result, work / f"{unit}.error")
            for test_id, (aspect, source) in pending.by_unit[unit].items():
                outcomes[test_id] = (Outcome(False, failure) if failure else
                                     _cell_outcome(pending.grader, unit, aspect, test_id, source,
                                                   result, arrays, spec["devices"], unit_spec["answer"]))
    finally:
        pending.tmp.cleanup()
    return outcomes, status


def _read_json(path):
    try:
        if path.stat().st_size > MAX_RESULT_BYTES:
            return None
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _read_arrays(path):
    try:
        if path.stat().st_size > MAX_RESULT_BYTES:
            return {}
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError):
        return {}


def _run_failure(run, result, error_file):
    """The message when the unit's sandboxed run did not finish normally, else None."""
    if run.get("outcome") == "timeout":
        return (f"Your code did not finish within {run['seconds']} s when the grader ran it (an "
                "infinite loop?), so this unit could not be graded.")
    if run.get("outcome") == "killed":
        sig = run.get("signal")
        why = {9: "killed for exceeding its time or memory limit", 24: "stopped at the CPU-time limit",
               25: "stopped for writing too much output", 11: "crashed (segmentation fault)",
               6: "aborted"}.get(sig, f"killed by signal {sig}")
        return f"Your code {why} when the grader ran it, so this unit could not be graded."
    if run.get("outcome") == "exit" and run.get("code") == 3:
        if error_file.exists() and "SystemExit" in error_file.read_text():
            return "Your code called exit() when the grader ran it, so this unit could not be graded."
        return "Your code stopped the grader's process, so this unit could not be graded."
    if result is None:
        return ("Your code ended the grader's process early (os._exit, a crash, or a resource "
                "limit), so this unit could not be graded.")
    return None


def _cell_outcome(grader, unit, aspect, test_id, source, result, arrays, devices, answer):
    if result.get("load_error"):
        return Outcome(False, result["load_error"])
    violation = harness.static_from_scratch_violation(answer) if unit in grader.CODE_UNITS else None
    if violation:
        return Outcome(False, violation)
    visible = result.get("visible", {}).get(test_id, "not run")
    if visible is not None:
        return Outcome(False, f"The visible test failed: {visible}")
    if not has_hidden(source):
        return Outcome(True, f"{test_id}: passed")
    if unit in getattr(grader, "VALUE_UNITS", {}):
        message = grader.judge_values(unit, aspect, result.get("values", {}))
    else:
        message = grader.judge_aspect(unit, aspect, result.get("infos", {}).get(aspect, []), arrays,
                                      devices, answer)
    if message:
        return Outcome(False, message)
    return Outcome(True, f"{unit} ({aspect}): checked on {', '.join(devices)}, outside your kernel")
