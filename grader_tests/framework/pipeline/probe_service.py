"""The grading process's side of the warm probe server (grader_tests/framework/sandboxed/
probe_server.py): start it in the sandbox, hand it one notebook's job at a time, place each job's
child in the notebook's cgroup, read how it ended, and replace a server a job killed or stopped.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

from grader_tests.framework.sandboxed.probe_server import wipe

FRAMEWORK = pathlib.Path(__file__).resolve().parents[1]
# What the sandbox gets of the grader: the contract (unit tables, rules, numerics) and the
# sandboxed layer (harness, generic probes, probe runner and server), and of each assignment its
# table and probes; never the judging, the reference or the pipeline.
SANDBOX_LAYERS = ("contract", "sandboxed")
ASSIGNMENT_BUNDLE_FILES = ("units.py", "probe.py")
READY_SECONDS = 120      # start-up: interpreter, torch and every assignment's probes
FORK_SECONDS = 20        # a fork and a pipe write; generous for a loaded machine


def switched_on():
    return os.environ.get("COURSE_PROBE_SERVER", "").lower() not in ("off", "0", "no")


# ---------------------------------------------------------------------------------------------
# In the grading process
# ---------------------------------------------------------------------------------------------

def bundle_into(directory, assignment_table):
    """Copy into `directory` the packages the sandbox imports (`SANDBOX_LAYERS` and the
    assignment's `ASSIGNMENT_BUNDLE_FILES`; the course folder itself is hidden there). One folder
    may hold several assignments. Returns `directory`."""
    import importlib
    directory = pathlib.Path(directory)
    framework = directory / "grader_tests" / "framework"
    framework.mkdir(parents=True, exist_ok=True)
    (directory / "grader_tests" / "__init__.py").write_text("")
    (framework / "__init__.py").write_text("")
    for layer in SANDBOX_LAYERS:
        if not (framework / layer).exists():
            shutil.copytree(FRAMEWORK / layer, framework / layer,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    package = importlib.import_module(assignment_table.package_name)
    source_dir = pathlib.Path(package.__file__).parent
    target = directory.joinpath(*assignment_table.package_name.split("."))
    target.mkdir(parents=True, exist_ok=True)
    for parent in list(target.relative_to(directory).parents)[:-1]:
        init = directory / parent / "__init__.py"
        if not init.exists():
            init.write_text("")
    (target / "__init__.py").write_text("")  # the real one offers the in-process checker
    for name in ASSIGNMENT_BUNDLE_FILES:
        shutil.copy(source_dir / name, target / name)
    return directory



class ServerGone(RuntimeError):
    pass


class _Lines:
    """Line reader with a deadline over a pipe (the server's stdout)."""

    def __init__(self, pipe):
        self.fd, self.buffer = pipe.fileno(), b""

    def pending(self):
        """Whether a reply can be read now."""
        import select
        return b"\n" in self.buffer or bool(select.select([self.fd], [], [], 0)[0])

    def read(self, seconds):
        import select
        end = time.monotonic() + seconds
        while b"\n" not in self.buffer:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise ServerGone(f"no reply within {seconds:.0f} s")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise ServerGone("the probe server exited")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)


def _server_pid(bwrap_pid):
    """The host pid of the server: the descendant of bubblewrap that runs this module."""
    todo = [bwrap_pid]
    while todo:
        pid = todo.pop()
        try:
            argv = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if argv[1:3] == [b"-m", b"grader_tests.framework.sandboxed.probe_server"]:   # not bwrap's own
                return pid
            for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
                todo += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return None


def _host_pid(server_pid, sandbox_pid):
    """The host pid of the server's child whose pid in the sandbox is `sandbox_pid`."""
    for task in pathlib.Path(f"/proc/{server_pid}/task").iterdir():
        for pid in (task / "children").read_text().split():
            for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("NSpid:") and line.split()[-1] == str(sandbox_pid):
                    return int(pid)
    return None


class ProbeServer:
    """The grading process's warm, sandboxed probe runner (module docstring)."""

    def __init__(self, assignments):
        import tempfile
        from grader_tests.framework.contract import table
        from grader_tests.framework.judging import namespace
        from grader_tests.framework.pipeline import sandbox
        self.assignments = tuple(assignments)
        self.home = pathlib.Path(tempfile.mkdtemp(prefix="probe-server-", dir=sandbox.scratch_dir()))
        self.jobs = self.home / "jobs"
        self.jobs.mkdir(mode=0o755)
        bundle = self.home / "bundle"
        modules = []
        for assignment in self.assignments:
            assignment_table = table.load(assignment)
            bundle_into(bundle, assignment_table)
            modules += namespace.given_modules(assignment_table)
        self._err = tempfile.TemporaryFile()
        argv = [sys.executable, "-m", "grader_tests.framework.sandboxed.probe_server", str(self.jobs), str(bundle),
                "--preimport", ",".join(dict.fromkeys(modules)), *self.assignments]
        self.proc = subprocess.Popen(
            sandbox.bwrap_args(writable=[self.jobs], readable=[bundle], chdir=self.jobs,
                               env={"PYTHONPATH": str(bundle)}) + argv,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._err,
            preexec_fn=sandbox.process_limits, env=sandbox.launch_environment())
        self.lines = _Lines(self.proc.stdout)
        self.pid = None     # known once the server said it is ready (it warms up meanwhile)

    def ready(self, wait=True):
        """Whether the server has warmed up (waiting for it when `wait`)."""
        if self.pid is None and (wait or self.lines.pending()):
            self._ready()
        return self.pid is not None

    def _ready(self):
        try:
            self.lines.read(READY_SECONDS)
            self.pid = _server_pid(self.proc.pid)
            if self.pid is None:
                raise ServerGone("the server's process was not found")
        except ServerGone as err:
            raise ServerGone(f"the probe server did not start ({err}): {self.stderr_tail()}") from None

    def stderr_tail(self, size=2000):
        try:
            self._err.seek(max(0, self._err.seek(0, 2) - size))
            return self._err.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def alive(self):
        return self.proc.poll() is None

    def new_job(self):
        """An empty work folder for the next notebook (whatever earlier jobs left is removed),
        writable by the sandbox user; the jobs folder itself is not."""
        import tempfile
        from grader_tests.framework.pipeline import sandbox
        wipe(self.jobs)
        job = pathlib.Path(tempfile.mkdtemp(dir=self.jobs))
        sandbox.give_to_sandbox(job)
        return job

    def start(self, job, cpu_seconds, deadline, group=None):
        """Fork the job's child, place it in `group` (the notebook's cgroup), let it run."""
        if self.pid is None:
            self._ready()
        self.proc.stdin.write((json.dumps({"job": str(job), "cpu_seconds": cpu_seconds,
                                           "deadline": deadline}) + "\n").encode())
        self.proc.stdin.flush()
        forked = self.lines.read(FORK_SECONDS)
        if "forked" not in forked:
            raise ServerGone(f"the probe server refused the job: {forked}")
        child = _host_pid(self.pid, forked["forked"])
        if child is None:
            raise ServerGone("the probe server's child was not found")
        if group is not None and group.active:
            group.join(child, role="probes")
        self.proc.stdin.write(b'{"go": true}\n')
        self.proc.stdin.flush()
        return ServerJob(self, job)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()     # bubblewrap's --die-with-parent takes the server down with it
            self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        shutil.rmtree(self.home, ignore_errors=True)


class ServerJob:
    """One notebook's probes in the server; `wait` as `sandbox.Process.wait`."""

    def __init__(self, server, job):
        self.server, self.job = server, pathlib.Path(job)

    def wait(self, timeout):
        """(exit code, -signal or None on timeout or a lost server; the tail of the child's stderr)."""
        try:
            reply = self.server.lines.read(timeout + 10)   # the server enforces `deadline` itself
            code = {"exit": reply.get("code"), "killed": -reply.get("signal", 0)}.get(reply["outcome"])
        except (ServerGone, ValueError, KeyError):
            _drop(self.server)     # stopped or killed by the child: the next notebook gets a new one
            code = None
        try:
            with open(self.job / "stderr.txt", "rb") as fh:
                fh.seek(max(0, fh.seek(0, 2) - 4000))
                tail = fh.read().decode("utf-8", "replace")
        except OSError:
            tail = ""
        return code, tail


_server = None
_unavailable = None     # why the server could not start in this process (then: not retried)


def _drop(server):
    global _server
    server.close()
    if _server is server:
        _server = None


def get(assignment):
    """This process's server, started on first use (None when switched off or it cannot start:
    the caller then starts a fresh probe runner, as before)."""
    global _server, _unavailable
    if not switched_on() or _unavailable:
        return None
    if _server is not None and (not _server.alive() or assignment not in _server.assignments):
        _drop(_server)
    if _server is None:
        from grader_tests.framework.contract import table
        names = table.assignments()
        try:
            _server = ProbeServer(names if assignment in names else [*names, assignment])
        except (ServerGone, OSError) as err:
            import logging
            _unavailable = str(err)
            logging.getLogger(__name__).warning("probe server unavailable, one probe runner per "
                                                "notebook instead: %s", err)
            return None
    return _server


def _close_at_exit():
    if _server is not None:
        _drop(_server)


import atexit  # noqa: E402
atexit.register(_close_at_exit)


