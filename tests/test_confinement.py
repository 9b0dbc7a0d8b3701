"""What a submission can read (SPEC 11; grader_tests/framework/pipeline/sandbox.py).

The sandbox's decisions are code, tested for what they produce: the view, the device nodes of
the CUDA branch (without a GPU), the environment, the user. Then, through the real pipeline,
submissions that try to read secrets planted around the course (grader_tests/recurrent_cells/
exfiltration.py): with plain `nbgrader autograde` and with `tools/course.py autograde` grading
side by side, nothing planted reaches an autograded notebook or a feedback page; with
confinement switched off (COURSE_SANDBOX_CONFINEMENT=off, the earlier sandbox) every secret does,
so these tests can fail. The CUDA branch runs with a stand-in node (COURSE_SANDBOX_GPU_NODES):
with confinement off it binds the host's /dev, the host's /dev/shm included.

Last, the grading environment itself: a course whose .venv is a link to a virtualenv elsewhere
grades to full points, and a view with a library left out stops autograde with the reason
before anyone is graded (no zeros recorded).
"""
import json
import os
import pathlib
import secrets
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, course_with_release, nbgrader
from grader_tests.framework.pipeline import sandbox
from grader_tests.recurrent_cells import adversarial as adv
from grader_tests.recurrent_cells import exfiltration as exf

sys.path.insert(0, str(ROOT / "tools"))
import course as course_tool  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
UNITS = adv.CODE_UNITS + ("model_identification",)


# ---------------------------------------------------------------------------------------------
# The decisions, as data
# ---------------------------------------------------------------------------------------------

def test_only_the_nvidia_nodes_of_dev_are_gpu_nodes():
    listing = ["nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset",
               "nvidia-caps", "shm", "sda", "sda1", "nvme0n1", "fuse", "dri", "null", "mem", "kmsg"]
    assert sandbox.gpu_device_nodes(listing) == sorted(
        ["nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset", "nvidia-caps"])
    args = sandbox.device_args({"nvidia0": "/dev/nvidia0", "nvidiactl": "/dev/nvidiactl"})
    assert args == ["--dev", "/dev", "--dev-bind", "/dev/nvidia0", "/dev/nvidia0",
                    "--dev-bind", "/dev/nvidiactl", "/dev/nvidiactl"]


def _pairs(args, option):
    return [(args[i + 1], args[i + 2]) for i, a in enumerate(args) if a == option]


def test_the_cuda_branch_binds_the_gpu_nodes_and_never_the_hosts_dev(tmp_path, monkeypatch):
    nodes = [tmp_path / n for n in ("nvidia0", "nvidiactl", "nvidia-uvm")]
    for node in nodes:
        node.write_text("")
    monkeypatch.setenv("COURSE_SANDBOX_GPU_NODES", os.pathsep.join(map(str, nodes)))
    args = sandbox.bwrap_args(writable=[tmp_path])
    dev_binds = _pairs(args, "--dev-bind")
    assert dev_binds == [(str(n), f"/dev/{n.name}") for n in sorted(nodes)], dev_binds
    assert ("/dev", "/dev") not in _pairs(args, "--bind") + _pairs(args, "--ro-bind") + dev_binds
    assert args[args.index("--dev") + 1] == "/dev"
    tmpfs = [args[i + 1] for i, a in enumerate(args) if a == "--tmpfs"]
    assert "/dev/shm" in tmpfs and "/tmp" in tmpfs          # private, never the host's
    assert ("/sys", "/sys") in _pairs(args, "--ro-bind")     # the driver's topology reads
    assert not any(a.startswith("--as=") for a in sandbox.prlimit_args(10))   # an AS cap breaks CUDA
    monkeypatch.setenv("COURSE_SANDBOX_CONFINEMENT", "off")  # the earlier sandbox: the host's /dev
    assert ("/dev", "/dev") in _pairs(sandbox.bwrap_args(), "--dev-bind")


def test_without_confinement_a_virtualenv_linked_under_tmp_stays_in_view(tmp_path, monkeypatch):
    # the whole-machine view mounts a private /tmp: a virtualenv reached through a link under it
    # is bound again at the linked path, or the kernel's interpreter is not found
    link = tmp_path / "clone" / ".venv"
    link.parent.mkdir()
    link.symlink_to(sandbox._venv().resolve())
    monkeypatch.setenv("VIRTUAL_ENV", str(link))
    monkeypatch.setenv("COURSE_SANDBOX_CONFINEMENT", "off")
    args = sandbox.bwrap_args()
    assert (str(link.resolve()), str(link)) in _pairs(args, "--ro-bind"), args
    bound_at = max(i for i in range(len(args) - 2) if args[i:i + 3] == ["--ro-bind", str(link.resolve()), str(link)])
    assert args.index("/tmp") < bound_at     # on top of the private /tmp, not under it


PRIVATE = ("/home", "/root", "/srv", "/var", "/mnt", "/media", "/opt", "/etc", "/boot", "/run")


def test_the_view_has_a_reason_for_each_entry_and_no_private_place():
    entries = sandbox.machine_view()
    assert entries and all(e.why for e in entries)
    for entry in entries:
        dest = pathlib.Path(entry.dest)
        # no private folder and no home folder is bound whole (the interpreter may live below
        # one, as pyenv's does: then its installation folder alone)
        assert str(dest) not in PRIVATE and str(dest.parent) not in ("/home", "/root"), entry
        if entry.dest.startswith("/etc/"):
            assert dest.name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "passwd",
                                 "group", "hosts"), entry
    etc = [e for e in entries if e.dest in ("/etc/passwd", "/etc/group")]
    assert all(pathlib.Path(e.source).read_text().count("\n") == 2 for e in etc)   # generated
    assert not [e for e in entries if e.dest == "/etc/shadow" or e.source == "/etc/shadow"]


def test_the_environment_starts_empty(monkeypatch):
    monkeypatch.setenv("COURSE_DEPLOY_TOKEN", "secret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("COURSE_SHORT_SCHEDULE", "1")
    env = sandbox.clean_environment({"PYTHONPATH": "/bundle"})
    assert "secret" not in env.values()
    assert env["COURSE_SHORT_SCHEDULE"] == "1" and env["PYTHONPATH"] == "/bundle"
    assert set(env) <= {"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "MPLCONFIGDIR",
                        "NUMBA_CACHE_DIR", "IPYTHONDIR", "PYTHONDONTWRITEBYTECODE", "MPLBACKEND",
                        "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "PYTHONPATH",
                        *sandbox.PASSED_VARIABLES}
    assert sandbox.launch_environment() == sandbox.LAUNCH_ENVIRONMENT


def test_an_unprivileged_grader_gets_a_user_namespace_without_capabilities(monkeypatch):
    """Graded as another user than root, bubblewrap maps that user to the sandbox's id in a user
    namespace and drops every capability; no setpriv (there is nothing to drop from)."""
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    args = sandbox.bwrap_args()
    assert args[args.index("--uid") + 1] == str(sandbox.SANDBOX_UID) and "--unshare-user" in args
    assert args[args.index("--cap-drop") + 1] == "ALL"
    assert not any(a.endswith("setpriv") for a in args)
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 0)   # as root: no user namespace, setpriv last
    args = sandbox.bwrap_args()
    assert "--unshare-user" not in args and args[-1] == "--" and "--no-new-privs" in args
    assert f"--reuid={sandbox.SANDBOX_UID}" in args and "--bounding-set=-all" in args


def _inside(code, **env):
    """Run `code` in a sandboxed interpreter as the kernel's; its stdout."""
    argv = sandbox.bwrap_args(env=env) + [sys.executable, "-c", code]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=sandbox.launch_environment())
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_student_code_runs_unprivileged_in_its_own_view(monkeypatch):
    monkeypatch.setenv("COURSE_DEPLOY_TOKEN", "secret-in-the-graders-environment")
    seen = json.loads(_inside("""
import json, os
status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
pid1 = ""
try:
    pid1 = open("/proc/1/environ", "rb").read().decode("latin-1")
except OSError as err:
    pid1 = type(err).__name__
print(json.dumps({"uid": os.getuid(), "cap": status["CapEff"].strip(), "bnd": status["CapBnd"].strip(),
                  "nnp": status["NoNewPrivs"].strip(), "root": sorted(os.listdir("/")),
                  "etc": sorted(os.listdir("/etc")), "env": dict(os.environ), "pid1": pid1}))
"""))
    assert seen["uid"] == sandbox.SANDBOX_UID and seen["nnp"] == "1"
    assert int(seen["cap"], 16) == 0 and int(seen["bnd"], 16) == 0
    assert not set(seen["root"]) & {"home", "srv", "var", "mnt", "media", "boot", "run"}, seen["root"]
    assert "shadow" not in seen["etc"] and "ssh" not in seen["etc"], seen["etc"]
    assert "secret-in-the-graders-environment" not in json.dumps(seen["env"]) + seen["pid1"]


# ---------------------------------------------------------------------------------------------
# Through the pipeline
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def planted():
    found = exf.Secrets(pathlib.Path("/var/tmp") / f"course-confinement-{secrets.token_hex(4)}")
    found.plant()
    yield found
    found.remove()


@pytest.fixture(scope="module")
def gpu_stand_in(tmp_path_factory):
    """A regular file standing in for /dev/nvidia0: the CUDA branch's arguments, without a GPU."""
    node = tmp_path_factory.mktemp("gpu") / "nvidia0"
    node.write_text("")
    return str(node)


def _outputs(course, students):
    """{student: findings} from the autograded notebook and the feedback page together."""
    out = {}
    for student in students:
        text = ""
        for folder, name in (("autograded", adv.NOTEBOOK), ("feedback", f"{adv.ASSIGNMENT}.html")):
            path = course / folder / student / adv.ASSIGNMENT / name
            text += path.read_text(errors="replace") if path.exists() else ""
        out[student] = {"findings": exf.findings(text), "text": text}
    return out


def _leaked(output, planted):
    """The planted values found anywhere in a student's outputs."""
    return sorted(what for what, value in planted.planted_values().items()
                  if (value in output["text"] if what != "shadow" else "shadow=root:" in output["text"]))


def _environment(planted, gpu_node, confinement):
    return {planted.env_name: planted.env_value, "COURSE_SANDBOX_GPU_NODES": gpu_node,
            "COURSE_SANDBOX_CONFINEMENT": confinement}


@pytest.fixture(scope="module")
def plain_runs(tmp_path_factory, planted, gpu_stand_in):
    """One prober through plain `nbgrader autograde` + `generate_feedback`, confined and not."""
    course, release, solutions = course_with_release(tmp_path_factory.mktemp("exfil-plain"), adv.ASSIGNMENT)
    exf.build("prober", release, solutions, course / "submitted" / "prober" / adv.ASSIGNMENT, planted)
    runs = {}
    for confinement in ("on", "off"):
        env = _environment(planted, gpu_stand_in, confinement)
        nbgrader(course, "autograde", adv.ASSIGNMENT, "--force", env=env)
        nbgrader(course, "generate_feedback", adv.ASSIGNMENT, "--force", env=env)
        table, _ = course_tool.score_table(adv.ASSIGNMENT, root=course)
        runs[confinement] = {"outputs": _outputs(course, ["prober"]), "table": table}
    return runs


def test_plain_nbgrader_confined_nothing_planted_reaches_the_student(plain_runs, planted):
    output = plain_runs["on"]["outputs"]["prober"]
    print("\nconfined, plain nbgrader autograde, prober found:", output["findings"] or "nothing")
    assert _leaked(output, planted) == [] and output["findings"] == {}
    assert exf.MARK in output["text"], "the prober did run and report"
    scores = plain_runs["on"]["table"]["prober"]
    for unit in UNITS:
        got, top = scores[unit]
        assert (got < top) if unit in exf.LOST["prober"] else (got == top), (unit, got, top)


def test_plain_nbgrader_without_confinement_shows_the_leak(plain_runs, planted):
    output = plain_runs["off"]["outputs"]["prober"]
    print("\nconfinement off, plain nbgrader autograde, prober found:", output["findings"])
    assert _leaked(output, planted) == sorted(planted.planted_values())


@pytest.fixture(scope="module")
def parallel_runs(tmp_path_factory, planted, gpu_stand_in):
    """Prober, writer and reader through `tools/course.py autograde` (two workers), confined and not."""
    course, release, solutions = course_with_release(tmp_path_factory.mktemp("exfil-parallel"), adv.ASSIGNMENT)
    students = ("prober", "reader", "writer")
    for student in students:
        exf.build(student, release, solutions, course / "submitted" / student / adv.ASSIGNMENT, planted)
    runs = {}
    saved = dict(os.environ)
    try:
        for confinement in ("on", "off"):
            os.environ.update(_environment(planted, gpu_stand_in, confinement))
            status = course_tool.autograde(adv.ASSIGNMENT, jobs=2, root=course, force=True, progress=False)
            nbgrader(course, "generate_feedback", adv.ASSIGNMENT, "--force")
            table, _ = course_tool.score_table(adv.ASSIGNMENT, root=course)
            runs[confinement] = {"status": status, "outputs": _outputs(course, students), "table": table}
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return runs


def test_parallel_autograde_confined_nothing_planted_or_neighbouring_reaches_the_student(parallel_runs, planted):
    run = parallel_runs["on"]
    assert run["status"] == 0
    for student, output in run["outputs"].items():
        print(f"\nconfined, tools/course.py autograde --jobs 2, {student} found:", output["findings"] or "nothing")
        assert _leaked(output, planted) == [], student
        assert planted.writer_value not in output["text"] or student == "writer", student
        assert output["findings"] == {}, (student, output["findings"])
    for student in ("writer", "reader"):
        assert all(got == top for got, top in (run["table"][student][u] for u in UNITS)), run["table"][student]


def test_parallel_autograde_without_confinement_shows_the_leak(parallel_runs, planted):
    run = parallel_runs["off"]
    prober, reader = run["outputs"]["prober"], run["outputs"]["reader"]
    print("\nconfinement off, tools/course.py autograde --jobs 2: prober found", prober["findings"],
          "reader found", reader["findings"])
    assert _leaked(prober, planted) == sorted(planted.planted_values())
    # the reader saw the host's /dev/shm: the writer's marker or other kernels' connection keys
    assert reader["findings"].get("writer") or reader["findings"].get("kernel_keys"), reader["findings"]


# ---------------------------------------------------------------------------------------------
# The grading environment: a linked virtualenv works, a broken view stops autograde
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def linked_venv_course(tmp_path_factory):
    """A course whose .venv is a symbolic link to the virtualenv elsewhere (a shared one), with
    one correct submission; commands run with the link's interpreter, as `make` would."""
    course, release, solutions = course_with_release(tmp_path_factory.mktemp("linked-venv"), adv.ASSIGNMENT)
    (course / ".venv").symlink_to(pathlib.Path(sys.prefix).resolve())
    adv.build(adv.Case("correct"), release, solutions, course / "submitted" / "correct" / adv.ASSIGNMENT)
    return course


def _course_command(course, *args, env=None):
    python = course / ".venv" / "bin" / "python"
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    environment["PATH"] = f"{course / '.venv' / 'bin'}{os.pathsep}{environment.get('PATH', '')}"
    environment.update(env or {})
    return subprocess.run([str(python), "tools/course.py", *args], cwd=course, capture_output=True,
                          text=True, timeout=900, env=environment)


def test_a_course_with_a_linked_virtualenv_grades_to_full_points(linked_venv_course):
    proc = _course_command(linked_venv_course, "autograde", adv.ASSIGNMENT, "--jobs", "1")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    table, _ = course_tool.score_table(adv.ASSIGNMENT, root=linked_venv_course)
    assert all(got == top > 0 for got, top in (table["correct"][u] for u in UNITS)), table["correct"]
    record = json.loads((linked_venv_course / "reports" / adv.ASSIGNMENT / "runs" / "correct" /
                         f"{adv.ASSIGNMENT}.json").read_text())
    assert record["kernel"] == "ok", record


def test_a_view_with_a_library_left_out_stops_autograde_before_anyone_is_graded(linked_venv_course):
    course = linked_venv_course
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    torch_lib = pathlib.Path("lib", version, "site-packages", "torch", "lib")
    # torch's shared libraries left out, at the linked and at the real path of the virtualenv
    broken = {"COURSE_SANDBOX_HIDE": os.pathsep.join(
        [str(course / ".venv" / torch_lib), str(pathlib.Path(sys.prefix).resolve() / torch_lib)])}
    before, _ = course_tool.score_table(adv.ASSIGNMENT, root=course)
    shutil.rmtree(course / "autograded", ignore_errors=True)
    proc = _course_command(course, "autograde", adv.ASSIGNMENT, "--force", "--jobs", "1", env=broken)
    print("\ntools/course.py autograde with torch's libraries left out of the view:\n" + proc.stdout[-1500:])
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "AUTOGRADE STOPPED" in proc.stdout and "libtorch" in proc.stdout
    assert not (course / "autograded" / "correct" / adv.ASSIGNMENT).exists()
    assert course_tool.score_table(adv.ASSIGNMENT, root=course)[0] == before   # nothing recorded
    plain = nbgrader(course, "autograde", adv.ASSIGNMENT, "--force", check=False, env=broken)
    assert plain.returncode != 0 and sandbox.BROKEN_MARK in plain.stdout + plain.stderr
    assert not (course / "autograded" / "correct" / adv.ASSIGNMENT).exists()
    # plain nbgrader records the failure as nbgrader does (earlier grades kept, else none): no zeros
    table, _ = course_tool.score_table(adv.ASSIGNMENT, root=course)
    earlier = before.get("correct", {})
    assert all(got is None or (got, top) == earlier.get(unit) for unit, (got, top) in table["correct"].items()), \
        (table["correct"], earlier)
