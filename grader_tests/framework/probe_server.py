"""A warm probe runner per grading process: one sandboxed fork server instead of a fresh
interpreter per notebook (issue 11: per-submission cost).

Starting the probe runner cost ~2.2 s of CPU per graded notebook (interpreter, numpy, torch, the
assignment's probes), on the core the kernel's neighbour needs. The server pays it once per
grading process: it starts under bubblewrap like the probe runner (same sandbox, no network, the
course hidden), imports what every assignment's probes need, and then, per notebook, forks a
child that runs `probe_runner.main` on that notebook's work folder. The server itself never runs
student code; each child is a fresh copy of a process that never did.

What keeps one student's child from reaching the next student's:
- the grader moves the child into the notebook's cgroup (its `probes` leaf) before the child may
  run anything (it waits on a pipe); closing the notebook's group kills it and all it started;
- the sandbox drops every capability (`--cap-drop ALL`) and the server is not dumpable, so a child
  can neither ptrace the server nor read its memory or file descriptors; the child closes the
  server's pipes to the grader before anything else;
- what a child can write that outlives it is wiped before the next job: the sandbox's /tmp and
  /dev/shm (by the server) and the jobs folder (by the grader); one job runs at a time;
- a child that kills or stops the server costs its own probes only: the grader sees no reply
  within the deadline, kills the server, and starts a new one for the next notebook.
`COURSE_PROBE_SERVER=off` goes back to one fresh sandboxed probe runner per notebook.

Protocol (one JSON object per line): the server says {"ready": pid}; the grader sends
{"job": folder, "cpu_seconds": n, "deadline": s}; the server answers {"forked": pid in the
sandbox}; the grader places the child in the cgroup and sends {"go": true}; the server answers
how the child ended (`probe_runner.wait_or_kill`: {"outcome": "exit", "code": n}, "killed" with its
"signal", or "timeout").
"""
import json
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import time

PR_SET_DUMPABLE = 4
READY_SECONDS = 120      # start-up: interpreter, torch and every assignment's probes
FORK_SECONDS = 20        # a fork and a pipe write; generous for a loaded machine


def switched_on():
    return os.environ.get("COURSE_PROBE_SERVER", "").lower() not in ("off", "0", "no")


# ---------------------------------------------------------------------------------------------
# Inside the sandbox
# ---------------------------------------------------------------------------------------------

def _not_dumpable():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def _wipe(folder, keep=()):
    """Remove what a previous job's child left in `folder` (the folder itself stays), except the
    folders in `keep` (the jobs and bundle folders, which may lie below /tmp) and mount points."""
    for entry in pathlib.Path(folder).iterdir() if os.path.isdir(folder) else []:
        path = str(entry)
        if path in keep or (not entry.is_symlink() and os.path.ismount(path)):
            continue
        if any(k.startswith(path + os.sep) for k in keep) and not entry.is_symlink():
            _wipe(path, keep)
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            try:
                entry.unlink()
            except OSError:
                pass


def _child(job, gate, channels, cpu_seconds):
    """The forked child: wait until the grader placed it, then probe the job's units."""
    from grader_tests.framework import probe_runner
    code = 1
    try:
        for fd in channels:
            os.close(fd)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        if os.read(gate, 1) != b"g":       # the grader did not place it: do nothing
            os._exit(4)
        os.close(gate)
        err = os.open(os.path.join(job, "stderr.txt"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(err, 2)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        os.chdir(job)
        probe_runner.main(job)
        code = 0
    except BaseException:   # the grader's own failure: the trace goes to the job's stderr.txt
        import traceback
        traceback.print_exc()
    finally:
        os._exit(code)


def serve(jobs_root, bundle, assignments):
    from grader_tests.framework import probe_runner
    _not_dumpable()
    for assignment in assignments:
        probe_runner._warm_up(assignment)
    inp, out = os.fdopen(os.dup(0), "r"), os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    out.write(json.dumps({"ready": os.getpid()}) + "\n")
    root = os.path.realpath(jobs_root)
    keep = (root, os.path.realpath(bundle))
    for line in inp:
        request = json.loads(line)
        job = os.path.realpath(request["job"])
        if os.path.dirname(job) != root:
            out.write(json.dumps({"error": "job folder outside the jobs root"}) + "\n")
            continue
        for scratch in ("/tmp", "/dev/shm"):
            _wipe(scratch, keep)
        os.makedirs("/tmp/home", exist_ok=True)
        gate, release = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(release)
            _child(job, gate, (inp.fileno(), out.fileno()), int(request["cpu_seconds"]))
        os.close(gate)
        out.write(json.dumps({"forked": pid}) + "\n")
        go = json.loads(inp.readline() or "{}")
        if go.get("go"):
            os.write(release, b"g")
        os.close(release)
        ended = probe_runner.wait_or_kill(pid, time.monotonic() + float(request["deadline"]))
        out.write(json.dumps(ended) + "\n")


# ---------------------------------------------------------------------------------------------
# In the grading process
# ---------------------------------------------------------------------------------------------

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
            if argv[1:3] == [b"-m", b"grader_tests.framework.probe_server"]:   # not bwrap's own
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
        from grader_tests.framework import sandbox, table, trusted
        self.assignments = tuple(assignments)
        self.home = pathlib.Path(tempfile.mkdtemp(prefix="probe-server-", dir=sandbox.scratch_dir()))
        self.jobs = self.home / "jobs"
        self.jobs.mkdir(mode=0o755)
        bundle = self.home / "bundle"
        for assignment in self.assignments:
            trusted._bundle(bundle, table.load(assignment))
        self._err = tempfile.TemporaryFile()
        argv = [sys.executable, "-m", "grader_tests.framework.probe_server", str(self.jobs), str(bundle),
                *self.assignments]
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
        from grader_tests.framework import sandbox
        _wipe(self.jobs)
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
        from grader_tests.framework import table
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


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], sys.argv[3:])
