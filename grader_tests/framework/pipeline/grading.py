"""Trusted grading: test-cell verdicts computed where the student's code never ran.

For one submitted notebook (as nbgrader holds it in memory, test cells restored from the
gradebook):
1. the answer cell of every graded unit (the assignment's unit table, grader_tests/<a>/units.py,
   says which cells and tests belong to it) and the visible parts of its test cells go, as text,
   into a spec; one sandboxed process (grader_tests/framework/pipeline/sandbox.py, probe_runner.py) runs
   each unit in a forked child and writes plain data back (JSON, and .npz read with
   allow_pickle=False);
2. this process, which imports the reference, checks the unit's rules (on the answer's text and
   on what the monitor recorded) and judges that data (`grader_tests/<a>/judge.py`), and returns
   one outcome per test cell.
The student's kernel still runs the notebook for the record, but its test-cell outputs are
replaced by these outcomes, so nothing it prints or patches reaches a verdict.

An assignment's judge module provides `given_source(unit)`, `judge_aspect(unit, aspect, infos,
arrays, devices)` and, for value units, `judge_values(unit, aspect, values)`; its probe module
provides `run_probes(unit, obj, aspects, devices)` and must not import `reference`.

Units that read files (`Unit.submitted_files`, e.g. a checkpoint the student submits beside the
notebook; or inputs only the grader holds, from the judge's optional `grader_inputs(unit)` ->
{file name: array}, saved as .npy) get them copied into the sandbox's work folder; the probe
module's `run_probes` then takes `files={name: path or None}` (None: not submitted, or larger
than MAX_SUBMITTED_BYTES). Only the judge sees what stays with the grader (e.g. labels).
A passed outcome may carry a `score` (a fraction of the cell's points: nbgrader's partial credit).
"""
import dataclasses
import json
import pathlib
import re
import shutil
import sys
import tempfile
import time

import numpy as np

from grader_tests.framework.contract import table
from grader_tests.framework.contract import verdict as v
from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.judging.namespace import given_for
from grader_tests.framework.judging.outcome import cell_outcome, judge_module, unit_files
from grader_tests.framework.pipeline import limits, probe_service, sandbox
from grader_tests.framework.sandboxed import harness

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)
CPU_SECONDS = 120
MAX_RESULT_BYTES = 64 * 2**20


def visible_part(source):
    """A test cell's source without its hidden-test block."""
    return HIDDEN.sub("", source)


def has_hidden(source):
    return bool(HIDDEN.search(source))


@dataclasses.dataclass
class Pending:
    """Trusted grading under way: the sandboxed probes run while nbgrader runs the kernel."""
    table: object
    spec: dict
    by_unit: dict
    outcomes: dict
    tmp: object = None
    work: pathlib.Path = None
    process: object = None
    started_at: float = None   # when the probe runner was launched (wall clock)
    server: object = None      # the probe server running this notebook's probes (probe_server.py)
    judged: object = None      # the future of the judging beside the kernel
    submission_dir: object = None
    timing: dict = dataclasses.field(default_factory=dict)   # seconds, for the run record


def start_grading(assignment, answers, tests, devices=None, assignment_table=None, submission_dir=None,
                  unit_seconds=limits.UNIT_SECONDS):
    """Start the sandboxed probes for a notebook; `finish_grading` collects and judges them.

    - answers: {grade_id: source} of the notebook's answer cells
    - tests: {test grade_id: full source (hidden part included)}
    - assignment_table: the unit table (default: the assignment's own)
    - submission_dir: the folder of the submitted files units read (`Unit.submitted_files`)
    - unit_seconds: wall time of each unit's probes (`SubmissionLimits.unit_seconds`)
    Returns None for a notebook of no known assignment.
    """
    course_table = assignment_table is None    # the probe server serves the course's own tables
    try:
        assignment_table = assignment_table or table.load(assignment)
    except ModuleNotFoundError:
        return None
    devices = devices or [str(d) for d in harness.grading_devices()]
    by_unit = {}
    for test_id, source in tests.items():
        unit, test = assignment_table.unit_of_test(test_id)
        if unit is not None:
            by_unit.setdefault(unit.id, {})[test_id] = (test, source)
    spec = {"assignment": assignment_table.package_name, "devices": devices, "cpu_seconds": CPU_SECONDS,
            "wall_seconds": unit_seconds, "units": []}
    pending = Pending(assignment_table, spec, by_unit, {})
    for unit_id, cells in by_unit.items():
        if unit_id not in answers:
            for test_id in cells:
                pending.outcomes[test_id] = v.contract(
                    f"The answer cell `{unit_id}`", "is missing from the notebook", hint=ANSWER_CELL_MISSING,
                    symptom="missing")
            continue
        unit = assignment_table.unit(unit_id)
        aspects = [t.aspect for t, src in cells.values()
                   if t.aspect and has_hidden(src) and unit.is_code]
        spec["units"].append({
            "unit": unit_id, "given": given_for(assignment_table, unit_id), "answer": answers[unit_id],
            "visible": {t: visible_part(src) for t, (_, src) in cells.items()},
            "aspects": sorted(set(aspects)),
        })
    if spec["units"]:
        pending.submission_dir = submission_dir
        # the grading process's warm probe server (grader_tests/framework/sandboxed/probe_server.py), else a
        # fresh sandboxed probe runner for this notebook
        pending.server = probe_service.get(assignment) if course_table else None
        if pending.server is None:
            _launch_fresh(pending)
        else:
            pending.work = pending.server.new_job()
            pending.tmp = _Cleanup(pending.work)
            _write_job(pending)
            try:
                ready = pending.server.ready(wait=False)
            except probe_service.ServerGone:
                ready = True          # _launch finds it gone and falls back
            if ready:                 # else once the kernel has run (finish_grading)
                _launch(pending)
        if pending.process is not None:
            _judge_beside_the_kernel(pending)
    return pending


def _write_job(pending):
    """The probe runner's inputs in the work folder: the units' files and spec.json."""
    judge = judge_module(pending.table)
    for unit_spec in pending.spec["units"]:
        files = unit_files(pending.table.unit(unit_spec["unit"]), judge, pending.submission_dir, pending.work)
        if files:
            unit_spec["files"] = files
    (pending.work / "spec.json").write_text(json.dumps(pending.spec))


def _launch(pending):
    """Start the notebook's probes in the probe server, else in a fresh probe runner."""
    pending.started_at = time.time()
    try:
        pending.process = pending.server.start(pending.work, CPU_SECONDS,
                                               pending.spec["wall_seconds"] * len(pending.spec["units"]) + 30,
                                               group=limits.current())
    except (probe_service.ServerGone, OSError) as err:
        import logging
        logging.getLogger(__name__).warning("probe server lost (%s): a fresh probe runner", err)
        probe_service._drop(pending.server)
        pending.tmp.cleanup()
        _launch_fresh(pending)


def _launch_fresh(pending):
    """A sandboxed probe runner of its own for this notebook (the server's fallback)."""
    pending.server = None
    pending.tmp = tempfile.TemporaryDirectory(prefix="trusted-grading-", dir=sandbox.scratch_dir())
    pending.work = pathlib.Path(pending.tmp.name) / "work"
    pending.work.mkdir()
    sandbox.give_to_sandbox(pending.work)
    _write_job(pending)
    bundle = probe_service.bundle_into(pathlib.Path(pending.tmp.name) / "bundle", pending.table)
    pending.started_at = time.time()
    pending.process = sandbox.Process(
        [sys.executable, "-m", "grader_tests.framework.sandboxed.probe_runner", str(pending.work)],
        writable=[pending.work], readable=[bundle], chdir=pending.work, env={"PYTHONPATH": str(bundle)})


class _Cleanup:
    """Removes a job folder of the probe server once the notebook is judged."""

    def __init__(self, folder):
        self.folder = folder

    def cleanup(self):
        shutil.rmtree(self.folder, ignore_errors=True)


def finish_grading(pending):
    """Wait for the probes and judge them: ({test grade_id: Verdict}, {unit: run status})."""
    if pending is None:
        return {}, {}
    outcomes = dict(pending.outcomes)
    if pending.process is None and pending.server is not None:   # the server was warming up
        _launch(pending)
    if pending.process is None:
        return outcomes, {}
    blocked = time.monotonic()
    try:
        judged, status = pending.judged.result() if pending.judged is not None else _collect(pending)
    finally:
        pending.tmp.cleanup()
    pending.timing["probes_wait"] = time.monotonic() - blocked   # what is left after the kernel
    outcomes.update(judged)
    return outcomes, status


_judging = None


def _judge_beside_the_kernel(pending):
    """Wait for the probes and judge them in a thread while the kernel still runs the notebook
    (the probes finish first); `finish_grading` takes the result."""
    global _judging
    from concurrent.futures import ThreadPoolExecutor
    if _judging is None:
        _judging = ThreadPoolExecutor(1, thread_name_prefix="trusted-judging")
    pending.judged = _judging.submit(_collect, pending)


def _collect(pending):
    """Wait for the probe run, read its data and judge every test cell of its units."""
    spec, outcomes = pending.spec, {}
    harness.deterministic_numerics()  # the judge's reference runs under the same numerics
    code, stderr = pending.process.wait(timeout=spec["wall_seconds"] * len(spec["units"]) + 60)
    work = pending.work
    status = _read_json(work / "status.json") or {}
    runner = _read_json(work / "timing.json") or {}
    if "main_at" in runner:   # interpreter, imports and warm-up before the first unit
        pending.timing["probe_start"] = runner["main_at"] - pending.started_at + runner.get("warm_up", 0)
        pending.timing["probes"] = sum(s.get("elapsed", 0) for s in status.values())
    judged = time.monotonic()
    for unit_spec in spec["units"]:
        unit = unit_spec["unit"]
        run = status.get(unit) or {"outcome": "lost", "runner": code, "stderr": stderr[-500:]}
        status[unit] = run
        result = _read_json(work / f"{unit}.json")
        arrays = _read_arrays(work / f"{unit}.npz")
        failure = _run_failure(run, result, work / f"{unit}.error")
        for test_id, (test, source) in pending.by_unit[unit].items():
            outcomes[test_id] = (failure if failure else
                                 cell_outcome(pending.table, unit, test, test_id, has_hidden(source),
                                              result, arrays, spec["devices"], unit_spec["answer"]))
    pending.timing["judging"] = time.monotonic() - judged
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


# Why the grader's own run of a unit did not finish: one hint each (the class report groups by it).
ANSWER_CELL_MISSING = Hint("answer_cell_missing", "Restore the answer cell (do not delete answer cells).")
RUN_TIMEOUT = Hint("run:timeout", "An infinite loop, or far more work than the task needs?")
RUN_KILLED = {   # signal: (what happened, the likely cause)
    9: ("was killed for exceeding its time or memory limit",
        Hint("run:memory", "Look for a loop that never ends or arrays far larger than the task needs.")),
    24: ("was stopped at the CPU-time limit",
         Hint("run:cpu", "Look for a loop that never ends or far more work than the task needs.")),
    25: ("was stopped for writing too much output", Hint("run:output", "Don't print inside loops.")),
    11: ("crashed (segmentation fault)", Hint("run:crash", "Look for code that crashes the interpreter.")),
    6: ("aborted", Hint("run:crash", "Look for code that crashes the interpreter.")),
}
RUN_EXIT = Hint("run:exit", "Don't call exit(), sys.exit() or os._exit() in an answer cell.")
NOT_GRADED = "so this unit could not be graded"


def _run_failure(run, result, error_file):
    """The verdict when the unit's sandboxed run did not finish normally, else None."""
    mine = "Your code"
    if run.get("outcome") == "timeout":
        return v.failed(mine, f"did not finish within {run['seconds']} s when the grader ran it, {NOT_GRADED}",
                        hint=RUN_TIMEOUT, symptom="run")
    if run.get("outcome") == "killed":
        sig = run.get("signal")
        why, hint = RUN_KILLED.get(sig, (f"was killed by signal {sig}",
                                         Hint("run:signal", "Ask the course staff if this happens again.")))
        return v.failed(mine, f"{why} when the grader ran it, {NOT_GRADED}", hint=hint, symptom="run")
    if run.get("outcome") == "exit" and run.get("code") == 3:
        if error_file.exists() and "SystemExit" in error_file.read_text():
            return v.failed(mine, f"called exit() when the grader ran it, {NOT_GRADED}", hint=RUN_EXIT, symptom="run")
        return v.failed(mine, f"stopped the grader's process, {NOT_GRADED}", hint=RUN_EXIT, symptom="run")
    if result is None:
        return v.failed(mine, f"ended the grader's process early (os._exit, a crash, or a resource limit), "
                        f"{NOT_GRADED}", hint=RUN_EXIT, symptom="run")
    return None


