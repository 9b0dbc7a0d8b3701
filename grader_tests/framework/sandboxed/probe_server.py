"""A warm probe runner per grading process, inside the sandbox: one fork server instead of a
fresh interpreter per notebook (the grader's side is grader_tests/framework/pipeline/probe_service.py).

Starting the probe runner cost ~2.2 s of CPU per graded notebook (interpreter, numpy, torch, the
assignment's probes), on the core the kernel's neighbour needs. The server pays it once per
grading process: it starts under bubblewrap like the probe runner (same sandbox, no network, the
course hidden), imports what every assignment's probes need and the modules the notebooks' given
code imports (matplotlib.pyplot, tqdm.auto: `--preimport`), and then, per notebook, forks a
child that runs `probe_runner.main` on that notebook's work folder. The server itself never runs
student code; each child is a fresh copy of a process that never did.

What keeps one student's child from reaching the next student's:
- the grader moves the child into the notebook's cgroup (its `probes` leaf) before the child may
  run anything (it waits on a pipe); closing the notebook's group kills it and all it started;
- the sandbox runs it as an unprivileged user without capabilities and the server is not
  dumpable, so a child can neither ptrace the server nor read its memory or file descriptors;
  the child closes the server's pipes to the grader before anything else;
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
import sys
import time

PR_SET_DUMPABLE = 4


def _not_dumpable():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def wipe(folder, keep=()):
    """Remove what a previous job's child left in `folder` (the folder itself stays), except the
    folders in `keep` (the jobs and bundle folders, which may lie below /tmp) and mount points."""
    for entry in pathlib.Path(folder).iterdir() if os.path.isdir(folder) else []:
        path = str(entry)
        if path in keep or (not entry.is_symlink() and os.path.ismount(path)):
            continue
        if any(k.startswith(path + os.sep) for k in keep) and not entry.is_symlink():
            wipe(path, keep)
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            try:
                entry.unlink()
            except OSError:
                pass


def _child(job, gate, channels, cpu_seconds):
    """The forked child: wait until the grader placed it, then probe the job's units."""
    from grader_tests.framework.sandboxed import probe_runner
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


def serve(jobs_root, bundle, assignments, preimport=()):
    """Warm up (the assignments' probes and torch, and the modules `preimport` that the given
    code imports), then fork a child per job read from stdin."""
    from grader_tests.framework.sandboxed import harness, probe_runner
    _not_dumpable()
    for assignment in assignments:
        probe_runner._warm_up(assignment)
    harness.preimport(preimport)
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
            wipe(scratch, keep)
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


if __name__ == "__main__":
    # probe_server JOBS_ROOT BUNDLE [--preimport a.b,c] ASSIGNMENT ...
    jobs_root, bundle, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    modules = ()
    if rest[:1] == ["--preimport"]:
        modules, rest = [m for m in rest[1].split(",") if m], rest[2:]
    serve(jobs_root, bundle, rest, modules)
