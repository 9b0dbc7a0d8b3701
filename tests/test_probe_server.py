"""The warm probe server (grader_tests/framework/sandboxed/probe_server.py): what one job's student code can
and cannot do to the server and to the jobs after it.

Each job here is one unit whose answer cell is the attack; it writes what it found into its job
folder as findings.json. The pipeline tests (adversarial, hostile, every corpus) run through the
server too, since autograde uses it by default.
"""
import json
import time

import pytest

from grader_tests.framework.pipeline import limits, probe_service

# the job child's parent is the server; the answer runs in the job child's per-unit child
FIND_SERVER = """
import json, os
def _ppid(pid):
    for line in open(f"/proc/{pid}/status").read().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
SERVER = _ppid(os.getppid())
def _found(**figures):
    json.dump(figures, open(os.path.join(JOB, "findings.json"), "w"))
"""


def run_job(server, answer, group=None, seconds=30):
    job = server.new_job()
    spec = {"assignment": "recurrent_cells", "devices": ["cpu"], "cpu_seconds": seconds,
            "wall_seconds": seconds,
            "units": [{"unit": "model_identification", "given": "", "visible": {}, "aspects": [],
                       "answer": f"JOB = {str(job)!r}\n" + FIND_SERVER + answer}]}
    (job / "spec.json").write_text(json.dumps(spec))
    handle = server.start(job, seconds, seconds, group=group)
    return job, handle


def findings(job):
    path = job / "findings.json"
    return json.loads(path.read_text()) if path.exists() else None


@pytest.fixture(scope="module")
def server():
    started = probe_service.ProbeServer(["recurrent_cells"])
    assert started.ready()
    yield started
    started.close()


def test_a_job_cannot_reach_into_the_server(server):
    job, handle = run_job(server, """
import ctypes
got = {"server": open(f"/proc/{SERVER}/cmdline", "rb").read().decode("utf-8", "replace")}
for what in ("mem", "environ"):
    try:
        open(f"/proc/{SERVER}/{what}", "rb")
        got[what] = "opened"
    except OSError as err:
        got[what] = type(err).__name__
got["fds_opened"] = []         # the server's pipes to the grader, through /proc
try:
    fds = os.listdir(f"/proc/{SERVER}/fd")
except OSError as err:        # as an unprivileged user the folder itself is refused
    fds, got["fds_listed"] = [0, 1, 2, 3, 4, 5, 6, 7], type(err).__name__
for fd in fds:
    try:
        open(f"/proc/{SERVER}/fd/{fd}", "wb")
        got["fds_opened"].append(fd)
    except OSError:
        pass
libc = ctypes.CDLL(None, use_errno=True)
got["ptrace_attach"] = libc.ptrace(16, SERVER, 0, 0)
got["capabilities"] = [l for l in open("/proc/self/status") if l.startswith("CapEff")][0].split()[1]
_found(**got)
""")
    code, stderr = handle.wait(30)
    got = findings(job)
    assert code == 0 and got is not None, stderr
    assert "grader_tests.framework.sandboxed.probe_server" in got["server"], got   # it did find the server
    assert got["mem"] == got["environ"] == "PermissionError" and got["fds_opened"] == [], got
    assert got["ptrace_attach"] == -1 and int(got["capabilities"], 16) == 0, got


def test_what_a_job_leaves_is_gone_before_the_next(server):
    job, handle = run_job(server, """
for folder in ("/tmp", "/dev/shm", "/tmp/home"):
    open(os.path.join(folder, "left_by_a.txt"), "w").write("student A")
os.makedirs("/tmp/home/.config/matplotlib", exist_ok=True)
try:    # the jobs folder is the grader's: refused to the sandbox user, wiped by the grader anyway
    open(os.path.join(os.path.dirname(JOB), "planted_for_b.txt"), "w").write("student A")
except OSError:
    pass
_found(done=True)
""")
    assert handle.wait(30)[0] == 0 and findings(job) == {"done": True}
    job, handle = run_job(server, """
_found(tmp=os.listdir("/tmp"), shm=os.listdir("/dev/shm"), home=os.listdir("/tmp/home"),
       jobs=os.listdir(os.path.dirname(JOB)))
""")
    assert handle.wait(30)[0] == 0
    got = findings(job)
    assert not [n for n in got["tmp"] + got["shm"] + got["home"] if "left_by_a" in n or n == ".config"], got
    assert got["jobs"] == [job.name], got


def test_a_job_that_kills_the_server_costs_only_its_own_probes():
    first = probe_service.get("recurrent_cells")
    job, handle = run_job(first, "import signal\nos.kill(SERVER, signal.SIGKILL)\n")
    code, _ = handle.wait(30)
    assert code is None and not first.alive()
    second = probe_service.get("recurrent_cells")
    assert second is not None and second is not first
    job, handle = run_job(second, "_found(alive=True)\n")
    assert handle.wait(60)[0] == 0 and findings(job) == {"alive": True}


@pytest.mark.skipif(limits.detect()[0] is None, reason="no usable cgroup here")
def test_a_jobs_processes_run_in_the_notebooks_group(server):
    group = limits.SubmissionCgroup.create("test-server", limits.SubmissionLimits())
    try:
        job, handle = run_job(server, "import time\ntime.sleep(1.5)\n_found(done=True)\n", group=group)
        seen = 0
        end = time.monotonic() + 1.2
        while time.monotonic() < end:
            seen = max(seen, len(group.pids_inside()))
            time.sleep(0.05)
        assert handle.wait(30)[0] == 0 and findings(job) == {"done": True}
    finally:
        group.close()
    assert seen >= 2, "the job's child and its unit's child should be in the notebook's group"


def test_the_given_codes_modules_are_loaded_before_a_job_forks(server):
    # recurrent_cells' setup cell imports matplotlib.pyplot and tqdm.auto: the server imported
    # them once, so no unit's child spends ~0.25 s importing them again
    job, handle = run_job(server, """
import sys
_found(loaded=[m for m in ("matplotlib.pyplot", "tqdm.auto", "torch") if m in sys.modules])
""")
    code, _ = handle.wait(30)
    assert code == 0
    assert findings(job)["loaded"] == ["matplotlib.pyplot", "tqdm.auto", "torch"]


def test_preimport_loads_installed_modules_and_never_the_working_folders(tmp_path):
    from grader_tests.framework.sandboxed import harness
    assert harness.imported_modules(["import a.b, c\nfrom d import e as f\nfrom . import g\n", "syntax error("]) \
        == ["a.b", "c", "d", "d.e"]
    # a module of the working folder (where a submission's files lie) is left to the unit's child,
    # also when a dotted name would import it as the parent package
    (tmp_path / "planted.py").write_text("open('imported.txt', 'w').write('planted ran')\n")
    import subprocess
    import sys
    from conftest import ROOT
    code = ("import sys; from grader_tests.framework.sandboxed import harness; "
            "harness.preimport(harness.imported_modules(['import planted\\nfrom planted import name\\n"
            "import colorsys\\nfrom json import nothing'])); "
            "print(sorted(m for m in ('planted', 'colorsys', 'json') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["['colorsys',", "'json']"]
    assert not (tmp_path / "imported.txt").exists()
