"""Runs inside the grading sandbox: the student's answer cells, on the grader's probe inputs.

    python -m grader_tests.framework.sandboxed.probe_runner WORKDIR

WORKDIR/spec.json lists the units to probe (see grader_tests/framework/pipeline/grading.py). For each
unit a forked child process builds the namespace (given code + reference versions of the units
it builds on), runs the answer cell alone, runs the visible parts of the unit's test cells and
the assignment's probes (`grader_tests/<assignment>/probe.py`), all under the run-time monitor
of the unit's rules, and records plain data in WORKDIR/<unit>.json and WORKDIR/<unit>.npz (no
pickle). A crash, hang or resource-limit kill in one unit's child costs that unit only: the
parent records it and goes on. Student output is discarded.

`probe_unit` is also what `grader_tests.framework.judging.checks.run_check` calls in-process.
"""
import contextlib
import importlib
import io
import json
import os
import resource
import signal
import sys
import time
import traceback

from grader_tests.framework.sandboxed import harness, kinds
from grader_tests.framework.contract import rules, table

JSON_SCALARS = (str, int, float, bool, type(None))


def plain_value(value, depth=0):
    """A value answer as plain JSON data: scalars as they are; numbers, numpy arrays, lists,
    tuples and dicts with string keys of them as nested lists and dicts (small ones only);
    anything else as the repr of its type (the judge says what was expected)."""
    import numpy as np
    if isinstance(value, JSON_SCALARS):
        return value
    if isinstance(value, np.generic) and np.issubdtype(type(value), np.number):
        return value.item()
    if depth < 4:
        if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.number) and value.size <= 10_000:
            return value.tolist()
        if isinstance(value, (list, tuple)) and len(value) <= 10_000:
            return [plain_value(v, depth + 1) for v in value]
        if isinstance(value, dict) and len(value) <= 100 and all(isinstance(k, str) for k in value):
            return {k: plain_value(v, depth + 1) for k, v in value.items()}
    return repr(type(value))


def probe_unit(assignment, unit_id, given, answer, visible, aspects, devices, files=None):
    """Run one unit's answer cell, visible tests and probes; returns (result, arrays).
    `assignment`: its name or its grader package's dotted name (see table.load).
    `files`: {name: path or None} of the files the unit reads (see trusted.unit_files); passed
    on to the probes.

    result: {'load_error', 'visible': {test id: None or failure}, 'infos': {aspect: [info]},
             'values': {name: value}, 'rules': the monitor's record}
    """
    assignment_table = table.load(assignment)
    unit = assignment_table.unit(unit_id)
    result = {"load_error": None, "visible": {}, "infos": {}, "values": {}, "rules": {}}
    arrays = {}
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        scope = harness.namespace_from(given)
        probes = (importlib.import_module(f"{assignment_table.package_name}.probe")
                  if unit.is_code and aspects else None)
        with rules.monitor(unit.rules) as record:
            try:
                scope = harness.load_answer(unit_id, unit.defines, scope, source=answer)
            except harness.GradingFailure as err:
                result["load_error"] = err.verdict.as_dict()
            if result["load_error"] is None:
                for test_id, code in visible.items():
                    env = dict(scope)
                    try:
                        exec(compile(code, f"<test cell {test_id}>", "exec"), env)
                        result["visible"][test_id] = None
                    except Exception as err:  # the visible test failed on the student's code
                        result["visible"][test_id] = harness.describe_exception(err, limit=300)
                if unit.kind == table.VALUE:
                    for name in unit.defines:
                        value = scope.get(name)
                        result["values"][name] = plain_value(value)
                elif probes is not None:
                    record["ran_probes"] = True
                    try:
                        infos, arrays = probes.PROBES[unit_id].run(
                            kinds.Probe(unit, scope, tuple(aspects), tuple(devices), files))
                        result["infos"] = infos
                    except Exception:
                        if not record.get("blocked_kernels"):
                            raise   # the grader's own failure: the runner keeps its trace
                        # a blocked recurrent kernel broke the probe: the rule's verdict says why
        result["rules"] = dict(record)
    return result, arrays


def _run_unit(spec, unit_spec, workdir):
    import numpy as np

    files = unit_spec.get("files")
    if files is not None:
        files = {name: (os.path.join(workdir, f) if f else None) for name, f in files.items()}
    result, arrays = probe_unit(spec["assignment"], unit_spec["unit"], unit_spec["given"],
                                unit_spec["answer"], unit_spec["visible"], unit_spec["aspects"],
                                spec["devices"], files=files)
    with open(os.path.join(workdir, f"{unit_spec['unit']}.npz"), "wb") as fh:
        np.savez(fh, **arrays)
    with open(os.path.join(workdir, f"{unit_spec['unit']}.json"), "w") as fh:
        json.dump(result, fh)


def _needs_torch(assignment, unit_ids=None):
    """Whether the units to probe (default: all of the assignment's) need torch."""
    units = [u for u in table.load(assignment).units if unit_ids is None or u.id in unit_ids]
    return any(u.kind == table.TORCH_MODULE or any(r.needs_torch for r in u.rules) for u in units)


def _warm_up(assignment, unit_ids=None):
    """Import the assignment's probes (and torch, where its units need it) once in the parent,
    so each forked child starts warm (a cold first torch probe costs ~1 s). Tiny tensors only:
    no thread pool or CUDA context is created."""
    importlib.import_module(f"{table.load(assignment).package_name}.probe")
    if not _needs_torch(assignment, unit_ids):
        harness.deterministic_numerics()
        return
    import torch
    harness.deterministic_numerics()  # before the first matmul (cuBLAS reads its workspace setting then)
    with rules.ForbiddenOps():
        layer = torch.nn.Linear(3, 2).double()
        previous = torch.are_deterministic_algorithms_enabled()
        torch.use_deterministic_algorithms(True, warn_only=True)
        layer(torch.randn(2, 3, dtype=torch.float64, requires_grad=True)).sum().backward()
        torch.empty(2, device="meta")
        torch.use_deterministic_algorithms(previous)


def wait_or_kill(pid, deadline):
    """Wait for the child `pid` until `deadline` (time.monotonic()), SIGKILL it past that; how it
    ended: {"outcome": "exit", "code": n}, {"outcome": "killed", "signal": n} or
    {"outcome": "timeout"}."""
    while True:
        done, wstatus = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {"outcome": "timeout"}
        time.sleep(0.005)
    if os.WIFSIGNALED(wstatus):
        return {"outcome": "killed", "signal": os.WTERMSIG(wstatus)}
    return {"outcome": "exit", "code": os.WEXITSTATUS(wstatus)}


def main(workdir):
    main_at = time.time()
    with open(os.path.join(workdir, "spec.json")) as fh:
        spec = json.load(fh)
    warm = time.monotonic()
    _warm_up(spec["assignment"], {u["unit"] for u in spec["units"]})   # this notebook's units
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        harness.preimport(harness.imported_modules(dict.fromkeys(u["given"] for u in spec["units"])))
    with open(os.path.join(workdir, "timing.json"), "w") as fh:   # for the run record's breakdown
        json.dump({"main_at": main_at, "warm_up": time.monotonic() - warm}, fh)
    status = {}
    for unit_spec in spec["units"]:
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:  # child: one unit, its own limits
            code = 0
            try:
                cpu = spec["cpu_seconds"]
                resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
                if "torch" in sys.modules:
                    sys.modules["torch"].set_num_threads(1)  # tiny tensors; no thread pool after fork
                _run_unit(spec, unit_spec, workdir)
            except BaseException:  # the grader's own failure: keep a trace for the instructor
                with open(os.path.join(workdir, f"{unit_spec['unit']}.error"), "w") as fh:
                    fh.write(traceback.format_exc()[-4000:])
                code = 3
            finally:
                os._exit(code)
        status[unit_spec["unit"]] = wait_or_kill(pid, start + spec["wall_seconds"])
        if status[unit_spec["unit"]]["outcome"] == "timeout":
            status[unit_spec["unit"]]["seconds"] = spec["wall_seconds"]
        status[unit_spec["unit"]]["elapsed"] = round(time.monotonic() - start, 3)
    with open(os.path.join(workdir, "status.json"), "w") as fh:
        json.dump(status, fh)


if __name__ == "__main__":
    main(sys.argv[1])
