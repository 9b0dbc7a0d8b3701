"""Runs inside the grading sandbox: the student's answer cells, on the grader's probe inputs.

    python -m grader_tests.probe_runner WORKDIR

WORKDIR/spec.json lists the units to probe (see grader_tests/trusted.py). For each unit a
forked child process builds the namespace (given code + reference versions of the units it
builds on), runs the answer cell alone, runs the visible parts of the unit's test cells, and
records the probes' plain data in WORKDIR/<unit>.json and WORKDIR/<unit>.npz (no pickle).
A crash, hang or resource-limit kill in one unit's child costs that unit only: the parent
records it and goes on. Student output is discarded.
"""
import io
import json
import os
import resource
import signal
import sys
import time
import traceback


def _run_unit(spec, unit_spec, workdir):
    import contextlib
    import importlib

    import numpy as np

    from grader_tests import harness

    result = {"load_error": None, "visible": {}, "infos": {}, "values": {}}
    arrays = {}
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        scope = {"__name__": "__main__"}
        exec(compile(unit_spec["given"], "<given code>", "exec"), scope)
        try:
            scope = harness.load_answer(unit_spec["unit"], unit_spec["names"], scope,
                                        source=unit_spec["answer"])
        except harness.GradingFailure as err:
            result["load_error"] = str(err)
        if result["load_error"] is None:
            for test_id, code in unit_spec["visible"].items():
                env = dict(scope, unit_under_test=lambda grade_id, name, _s=scope: _s[name])
                try:
                    exec(compile(code, f"<test cell {test_id}>", "exec"), env)
                    result["visible"][test_id] = None
                except Exception as err:  # the visible test failed on the student's code
                    result["visible"][test_id] = harness.describe_exception(err, limit=300)
            for name in unit_spec.get("values", []):
                value = scope.get(name)
                result["values"][name] = value if isinstance(value, (str, int, float, bool)) else repr(type(value))
            if unit_spec.get("aspects"):
                probes = importlib.import_module(f"grader_tests.{spec['assignment']}_probe")
                cls = scope[unit_spec["names"][0]]
                infos, arrays = probes.run_probes(unit_spec["unit"], cls, unit_spec["aspects"],
                                                  spec["devices"])
                result["infos"] = infos
    with open(os.path.join(workdir, f"{unit_spec['unit']}.npz"), "wb") as fh:
        np.savez(fh, **arrays)
    with open(os.path.join(workdir, f"{unit_spec['unit']}.json"), "w") as fh:
        json.dump(result, fh)


def _warm_up(assignment):
    """Import and exercise torch once in the parent, so each forked child starts warm (a cold
    first probe costs ~1 s). Tiny tensors only: no thread pool or CUDA context is created."""
    import importlib

    import torch

    from grader_tests import harness
    importlib.import_module(f"grader_tests.{assignment}_probe")
    with harness.ForbiddenOps():
        layer = torch.nn.Linear(3, 2).double()
        previous = torch.are_deterministic_algorithms_enabled()
        torch.use_deterministic_algorithms(True, warn_only=True)
        layer(torch.randn(2, 3, dtype=torch.float64, requires_grad=True)).sum().backward()
        torch.empty(2, device="meta")
        torch.use_deterministic_algorithms(previous)


def main(workdir):
    with open(os.path.join(workdir, "spec.json")) as fh:
        spec = json.load(fh)
    _warm_up(spec["assignment"])
    status = {}
    for unit_spec in spec["units"]:
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:  # child: one unit, its own limits
            code = 0
            try:
                cpu = spec["cpu_seconds"]
                resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
                import torch
                torch.set_num_threads(1)  # probes use tiny tensors; no thread pool after fork
                _run_unit(spec, unit_spec, workdir)
            except BaseException:  # the grader's own failure: keep a trace for the instructor
                with open(os.path.join(workdir, f"{unit_spec['unit']}.error"), "w") as fh:
                    fh.write(traceback.format_exc()[-4000:])
                code = 3
            finally:
                os._exit(code)
        deadline = start + spec["wall_seconds"]
        while True:
            done, wstatus = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                wstatus = None
                break
            time.sleep(0.01)
        if wstatus is None:
            status[unit_spec["unit"]] = {"outcome": "timeout", "seconds": spec["wall_seconds"]}
        elif os.WIFSIGNALED(wstatus):
            status[unit_spec["unit"]] = {"outcome": "killed", "signal": os.WTERMSIG(wstatus)}
        else:
            status[unit_spec["unit"]] = {"outcome": "exit", "code": os.WEXITSTATUS(wstatus)}
        status[unit_spec["unit"]]["elapsed"] = round(time.monotonic() - start, 3)
    with open(os.path.join(workdir, "status.json"), "w") as fh:
        json.dump(status, fh)


if __name__ == "__main__":
    main(sys.argv[1])
