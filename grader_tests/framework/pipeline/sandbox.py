"""Run student code under bubblewrap: a minimal view of the machine, an unprivileged user, a
clean environment and resource limits (SPEC 11; the README's "What a submission can see").

Whatever a submission can read it can print, and its outputs come back in the autograded notebook
and the feedback. So every sandboxed process (the notebook's kernel, the probe runner, the probe
server) sees only what it needs to run, `machine_view()`, one entry per line with its reason:
- system programs and libraries (/usr and the merged-/usr links), the dynamic loader's files and
  the time zone from /etc, and a generated passwd/group/hosts (no shadow, ssh, cron, ...);
- the interpreter's own installation and the virtualenv (at their real paths and at the paths the
  course uses, so a virtualenv reached through a symbolic link works), and any other folder on
  the interpreter's search path;
- the course's data/ read-only;
- its own working folder (the kernel: a capped tmpfs over autograded/<student>/<a> with the
  files there bound back read-only), a private /tmp and /dev/shm, its own /proc;
- a private /dev (null, zero, random, tty, pts) plus, where CUDA is present, the NVIDIA device
  nodes alone (`gpu_device_nodes`), and /sys read-only then for the driver's topology reads.
Nothing else: no home folders, /srv, /var, /mnt, /media, /opt (unless the interpreter lives
there), no exchange, no other submission, no course file beyond the two above.

It runs as an unprivileged user: graded as root, bubblewrap builds the view and `setpriv` then
drops to `SANDBOX_UID` (nobody by default) with no capabilities, an empty bounding set and
`no_new_privs`, so file permissions hold even where a view leaks; graded as another user,
bubblewrap maps that user to the same id in a user namespace and drops every capability. The
environment starts empty (`clean_environment`): PATH, HOME, locale, thread counts, and the
course's own variables a notebook reads. bubblewrap itself is started with that environment
too (its own /proc/1/environ is visible inside the sandbox when it runs as the same user).

No network (`--unshare-net`: loopback only), its own PID, IPC and UTS namespaces, killed with
its parent. Resource limits (setrlimit): CPU time, file size (an output flood stops at the
limit), open files, and an address-space cap when no GPU is in use (it breaks CUDA). Under
autograde every process of one graded notebook also joins that notebook's cgroup
(grader_tests/framework/pipeline/limits.py); /tmp and /dev/shm are capped at `tmp_bytes` and the kernel's
writes into its working folder at `folder_bytes` (nothing it writes reaches autograded/ or the
feedback).

`COURSE_SANDBOX_CONFINEMENT=off` goes back to the earlier whole-machine view (the machine
read-only, the grading process's environment, root without capabilities): the exfiltration tests
show what leaks then. `require_tools()` fails loudly instead of grading unsandboxed, and
`preflight()` checks that a sandboxed interpreter starts and imports what the notebooks need.
"""
import dataclasses
import functools
import json
import os
import pathlib
import resource
import shutil
import subprocess
import sys

from grader_tests.framework.pipeline import limits

# Folders hidden from student code: the course root nbgrader runs in (nbgrader_config.py sets
# COURSE_ROOT) and the folder this package really lives in (they differ when linked).
COURSE_ROOT = pathlib.Path(__file__).resolve().parents[3]


def _hidden_roots():
    roots = [pathlib.Path(os.environ["COURSE_ROOT"])] if os.environ.get("COURSE_ROOT") else []
    roots.append(COURSE_ROOT)
    return list(dict.fromkeys(roots))


# Limits for one process of student code. CPU: the slowest legitimate probe takes ~3 s of CPU;
# a kernel running a whole notebook ~30 s. File size: notebooks and results are < 10 MB.
CPU_SECONDS = int(os.environ.get("COURSE_SANDBOX_CPU_SECONDS", "300"))
FILE_BYTES = 256 * 2**20
ADDRESS_SPACE_BYTES = 12 * 2**30   # only without CUDA
OPEN_FILES = 1024

# The unprivileged user student code runs as (nobody/nogroup unless the course names another).
SANDBOX_UID = int(os.environ.get("COURSE_SANDBOX_UID", "65534"))
SANDBOX_GID = int(os.environ.get("COURSE_SANDBOX_GID", "65534"))
HOME = "/tmp/home"
# The grading process's variables a notebook or the probes read; nothing else of its
# environment (database URLs, tokens, keys) enters the sandbox.
PASSED_VARIABLES = (
    "COURSE_SHORT_SCHEDULE",   # training cells run their short schedule under autograde
    "COURSE_DATA_DIR",         # where the shipped loaders find the course's data/ (bound below)
    "NBGRADER_EXECUTION",      # set by nbgrader while it autogrades or validates
    "NBGRADER_VALIDATING",
    "CUDA_VISIBLE_DEVICES",    # the GPU a Dask GPU worker was given
)


class SandboxUnavailable(RuntimeError):
    pass


def confined():
    """Whether the minimal view, the unprivileged user and the clean environment apply
    (`COURSE_SANDBOX_CONFINEMENT=off`: the earlier whole-machine view, for the leak tests)."""
    return os.environ.get("COURSE_SANDBOX_CONFINEMENT", "").lower() not in ("off", "0", "no")


def _drops_privileges():
    """Graded as root: bubblewrap builds the view as root and setpriv drops to SANDBOX_UID."""
    return confined() and os.geteuid() == 0


def require_bwrap():
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed: student code would run unsandboxed. Install it "
            "(Debian/Ubuntu: apt-get install bubblewrap) or run `make venv`.")
    return path


def require_tools():
    """bwrap, and setpriv (util-linux) when grading as root; their paths."""
    tools = {"bwrap": require_bwrap()}
    if _drops_privileges():
        tools["setpriv"] = shutil.which("setpriv") or ""
        if not tools["setpriv"]:
            raise SandboxUnavailable("setpriv (util-linux) is not installed: graded as root, student "
                                     "code could not drop to an unprivileged user.")
    return tools


def give_to_sandbox(path):
    """Make a folder the grader created writable by the sandbox user (kernel runtime folder,
    probe work folder); a no-op when the sandbox runs as the grading user."""
    if _drops_privileges():
        os.chown(path, SANDBOX_UID, SANDBOX_GID)


# ---------------------------------------------------------------------------------------------
# Devices
# ---------------------------------------------------------------------------------------------

GPU_NODE_PREFIX = "nvidia"   # nvidia0.., nvidiactl, nvidia-uvm, nvidia-uvm-tools, nvidia-modeset, nvidia-caps/


def gpu_device_nodes(dev_entries):
    """The NVIDIA driver's nodes among the names in /dev (`dev_entries`): what CUDA opens, and
    nothing else of the host's /dev (no shm, block devices, fuse, ...)."""
    return sorted(name for name in dev_entries if name.startswith(GPU_NODE_PREFIX) and "/" not in name)


def _gpu_nodes():
    """{name in the sandbox's /dev: host path} of this machine's GPU nodes.
    `COURSE_SANDBOX_GPU_NODES` (paths, ':'-separated) stands in for them where the CUDA branch is
    tested without a GPU."""
    override = os.environ.get("COURSE_SANDBOX_GPU_NODES")
    if override:
        return {pathlib.Path(p).name: p for p in override.split(os.pathsep) if p}
    try:
        names = os.listdir("/dev")
    except OSError:
        return {}
    return {name: f"/dev/{name}" for name in gpu_device_nodes(names)}


def _cuda_present():
    return bool(_gpu_nodes())


def device_args(gpu_nodes):
    """bubblewrap arguments for /dev: a private /dev (null, zero, full, random, urandom, tty,
    pts, an empty shm) with only the GPU's nodes (`{name: host path}`) bound in."""
    args = ["--dev", "/dev"]
    for name, host in sorted(gpu_nodes.items()):
        args += ["--dev-bind", host, f"/dev/{name}"]
    return args


# ---------------------------------------------------------------------------------------------
# The view: what a sandboxed process sees of the machine
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Entry:
    """One item of the view: `how` is 'ro' (a host path bound read-only at `dest`), 'link' (a
    symbolic link at `dest` to `source`) or 'dir' (an empty folder)."""
    how: str
    source: str
    dest: str
    why: str


# Paths at the top of the file system that hold programs and libraries (on Debian 12 all but
# /usr are links into it; on a split /usr they are folders of their own).
SYSTEM_PATHS = {
    "/usr": "programs and shared libraries: libc, libstdc++, libgomp, BLAS, setpriv",
    "/bin": "programs (merged /usr: a link)",
    "/sbin": "programs (merged /usr: a link)",
    "/lib": "shared libraries and the dynamic loader (merged /usr: a link)",
    "/lib32": "32-bit libraries where present",
    "/lib64": "the dynamic loader's path (merged /usr: a link)",
    "/libx32": "x32 libraries where present",
}
# Files of /etc the runtime reads; everything else of /etc (shadow, gshadow, ssh, cron, ssl,
# pip and git configuration) stays out.
ETC_FILES = {
    "/etc/ld.so.cache": "the dynamic loader's index of shared libraries",
    "/etc/ld.so.conf": "the dynamic loader's search path",
    "/etc/ld.so.conf.d": "the dynamic loader's search path",
    "/etc/localtime": "the time zone (timestamps, matplotlib dates)",
}


def _generated_etc():
    """passwd, group and hosts naming only root, the sandbox user and localhost (getpass,
    IPython and zmq look them up), written once per process into a folder of the grader's."""
    folder = _etc_folder()
    return {f"/etc/{name}": (str(folder / name), why) for name, why in (
        ("passwd", "the sandbox user's name and home (getpass, IPython); generated"),
        ("group", "its group; generated"),
        ("hosts", "localhost, the only network the sandbox has; generated"))}


@functools.lru_cache(maxsize=None)
def _etc_folder():
    import atexit
    import tempfile
    folder = pathlib.Path(tempfile.mkdtemp(prefix="sandbox-etc-"))
    folder.chmod(0o755)
    uid, gid = SANDBOX_UID, SANDBOX_GID
    files = {
        "passwd": f"root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
                  f"student:x:{uid}:{gid}:sandboxed student code:{HOME}:/usr/sbin/nologin\n",
        "group": f"root:x:0:\nstudent:x:{gid}:\n",
        "hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
        (folder / name).chmod(0o644)
    atexit.register(shutil.rmtree, folder, True)
    return folder


@functools.lru_cache(maxsize=None)
def _interpreter_paths(executable):
    """The folders `executable` reads at start and import time: its installation (base prefix),
    the virtualenv (prefix) and every existing entry of its search path. Asked of a fresh
    interpreter, so paths this grading process added (tests, tools/) do not count."""
    out = subprocess.run(
        [executable, "-I", "-c", "import sys, json; print(json.dumps([sys.prefix, sys.base_prefix, sys.path]))"],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    prefix, base, path = json.loads(out.stdout)
    # -I leaves out the site of the user; the virtualenv's prefix is on its path all the same
    return tuple(dict.fromkeys([prefix, base, *[p for p in path if p]]))


def _under(path, folders):
    path = pathlib.Path(path)
    return any(path == f or f in path.parents for f in map(pathlib.Path, folders))


def _venv():
    return pathlib.Path(os.environ.get("VIRTUAL_ENV", "") or sys.prefix)


def machine_view(executable=None):
    """What a sandboxed process sees of the machine, as `Entry`s in mount order (see the module
    docstring); the working folders of `bwrap_args` come on top."""
    executable = str(executable or sys.executable)
    entries = []
    for path, why in SYSTEM_PATHS.items():
        if os.path.islink(path):
            entries.append(Entry("link", os.readlink(path), path, why))
        elif os.path.isdir(path):
            entries.append(Entry("ro", path, path, why))
    for path, why in ETC_FILES.items():
        if os.path.exists(path):
            entries.append(Entry("ro", os.path.realpath(path), path, why))
    for path, (source, why) in _generated_etc().items():
        entries.append(Entry("ro", source, path, why))
    system = [e.dest for e in entries if e.how == "ro" and not e.dest.startswith("/etc/")]
    hidden = _hidden_roots()
    for root in hidden:   # a course that lies inside a system folder stays hidden all the same
        if _under(root, system):
            entries.append(Entry("dir", "", str(root), "the course folder, hidden"))
    venv = _venv()
    # (path, why, whether it may lie inside the course folder)
    wanted = [(venv, "the virtualenv (its packages: torch, numpy, ipykernel, ...)", True)]
    wanted += [(pathlib.Path(p), "the interpreter's installation and search path", False)
               for p in _interpreter_paths(executable)]
    wanted += [(root / "data", "the course's data, read-only", True) for root in hidden]
    if os.environ.get("COURSE_DATA_DIR"):   # the data folder the shipped loaders read
        wanted.append((pathlib.Path(os.environ["COURSE_DATA_DIR"]), "the course's data, read-only "
                       "(COURSE_DATA_DIR)", True))
    bound = set()
    for path, why, in_course_ok in wanted:
        if not path.exists():
            continue
        real = path.resolve()
        if _under(path, [venv]) or _under(real, [venv.resolve()]):
            in_course_ok = True   # the virtualenv's own site-packages
        for dest in dict.fromkeys([path, real]):   # a linked virtualenv or data/: at both paths
            if str(dest) in bound or _under(dest, system) or _under(dest, bound):
                continue
            if not in_course_ok and (_under(dest, hidden) or _under(real, hidden)):
                continue   # an editable install of the course itself: never
            bound.add(str(dest))
            entries.append(Entry("ro", str(real), str(dest), why))
    for path in filter(None, os.environ.get("COURSE_SANDBOX_HIDE", "").split(os.pathsep)):
        entries.append(Entry("dir", "", path, "hidden on request (COURSE_SANDBOX_HIDE)"))
    return entries


def _parents(dest, made):
    """--dir arguments for the folders above `dest` that the view has not made yet (bubblewrap
    would make them 0700, closed to the sandbox user)."""
    args = []
    for parent in reversed(pathlib.Path(dest).parents):
        name = str(parent)
        if name != "/" and name not in made:
            made.add(name)
            args += ["--perms", "0755", "--dir", name]
    return args


def view_args(entries, made):
    args = []
    for entry in entries:
        args += _parents(entry.dest, made)
        if entry.how == "link":
            args += ["--symlink", entry.source, entry.dest]
        elif entry.how == "dir":   # an empty folder over what was there, closed to writes
            args += ["--perms", "0555", "--tmpfs", entry.dest]
        else:
            args += ["--ro-bind", entry.source, entry.dest]
        made.add(entry.dest)
    return args


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------

def _caps():
    group = limits.current()
    return group.limits if group is not None else limits.SubmissionLimits()


def scratch_dir():
    """Where to put folders a sandboxed process may write and the grader reads back (probe work
    folders, kernel runtime folders): /dev/shm when the notebook has a cgroup (tmpfs pages count
    against its memory cap), else the default temporary folder."""
    group = limits.current()
    shm = pathlib.Path("/dev/shm")
    if group is not None and group.capped and shm.is_dir() and os.access(shm, os.W_OK):
        return str(shm)
    return None


def _capped_folder_args(folder, size):
    """A tmpfs of `size` bytes over `folder`, with the folder's current entries bound back
    read-only: the process reads what is there and writes at most `size` bytes, none of which
    reaches the real folder."""
    folder = pathlib.Path(folder)
    args = ["--perms", "1777", "--size", str(size), "--tmpfs", str(folder)]
    for entry in sorted(folder.iterdir()):
        args += ["--ro-bind", str(entry), str(entry)]
    return args


def clean_environment(env=None):
    """The whole environment of a sandboxed process: what the kernel and probes need, the
    course's variables a notebook reads (`PASSED_VARIABLES`), and `env`."""
    venv = _venv()
    base = {"PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin", "HOME": HOME, "USER": "student",
            "LOGNAME": "student", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "MPLCONFIGDIR": f"{HOME}/.mpl", "NUMBA_CACHE_DIR": f"{HOME}/.numba",
            "IPYTHONDIR": f"{HOME}/.ipython", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}
    # Parallel autograde runs one grading process per core: each sandboxed process keeps to its
    # core's worth of BLAS/OpenMP threads (torch, numpy), so neighbours do not oversubscribe the
    # machine (COURSE_SANDBOX_THREADS, default 1).
    threads = os.environ.get("COURSE_SANDBOX_THREADS", "1")
    base.update({name: threads for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")})
    base.update({name: os.environ[name] for name in PASSED_VARIABLES if name in os.environ})
    base.update(env or {})
    return base


# What starts bubblewrap (the kernel's cgroup join and prlimit, the Popen of the probes) gets only
# this: bubblewrap's own environment is readable as /proc/1/environ inside the sandbox when it runs
# as the sandbox's user.
LAUNCH_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def bwrap_args(writable=(), readable=(), env=None, chdir=None, capped=()):
    """The command prefix for a sandboxed process (the program and its arguments follow);
    `writable`: folders it writes into; `readable`: folders it reads; `capped`: folders it may
    read and write into, up to the folder cap, without changing them (`_capped_folder_args`)."""
    if not confined():
        return _whole_machine_args(writable, readable, env, chdir, capped)
    tools = require_tools()
    caps = _caps()
    args = [tools["bwrap"], "--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid",
            "--unshare-net", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
    if not _drops_privileges():   # an unprivileged grader: a user namespace, no capabilities
        args += ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID), "--cap-drop", "ALL"]
    # the private folders first: what the view binds below /tmp (a virtualenv, a course) stays
    tmp_size = ["--size", str(caps.tmp_bytes)] if not limits.switched_off() else []
    args += ["--proc", "/proc"] + device_args(_gpu_nodes())
    args += ["--perms", "1777", *tmp_size, "--tmpfs", "/tmp",
             "--perms", "1777", *tmp_size, "--tmpfs", "/dev/shm"]
    made = {"/tmp", "/dev", "/dev/shm", "/proc"}
    args += view_args(machine_view(), made)
    if _cuda_present() and os.path.isdir("/sys"):
        args += ["--ro-bind", "/sys", "/sys"]           # the CUDA driver reads the PCI topology
    elif os.path.isdir("/sys/devices/system/cpu"):
        args += _parents("/sys/devices/system/cpu", made)
        args += ["--ro-bind", "/sys/devices/system/cpu", "/sys/devices/system/cpu"]   # CPU count for thread pools
    if limits.switched_off():     # measuring what hostile code gets without the caps
        writable, capped = list(writable) + list(capped), ()
    for path in map(pathlib.Path, readable):
        if path.exists():
            args += _parents(path, made) + ["--ro-bind", str(path.resolve()), str(path)]
    for path in writable:
        args += _parents(path, made) + ["--bind", str(path), str(path)]
    for path in capped:
        args += _parents(path, made) + _capped_folder_args(path, caps.folder_bytes)
    args += ["--clearenv"]
    for key, value in clean_environment(env).items():
        args += ["--setenv", key, value]
    if chdir:
        args += ["--chdir", str(chdir)]
    if _drops_privileges():
        args += [tools["setpriv"], f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_GID}", "--clear-groups",
                 "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--"]
    return args


def _whole_machine_args(writable, readable, env, chdir, capped):
    """The earlier sandbox (confinement off): the machine read-only but the course folder, the
    grading process's environment, root without capabilities, the host's /dev with CUDA."""
    caps = _caps()
    args = [require_bwrap(), "--die-with-parent", "--unshare-all", "--new-session", "--cap-drop", "ALL",
            "--ro-bind", "/", "/", "--proc", "/proc"]
    if limits.switched_off():
        args += ["--tmpfs", "/tmp"]
        writable, capped = list(writable) + list(capped), ()
    else:
        args += ["--size", str(caps.tmp_bytes), "--tmpfs", "/tmp"]
    for root in _hidden_roots():
        args += ["--tmpfs", str(root)]
    args += ["--dev-bind", "/dev", "/dev"] if _cuda_present() else ["--dev", "/dev"]
    # the virtualenv at its real path and at the one the kernel is started by (a linked
    # virtualenv under /tmp is hidden by the private /tmp otherwise)
    visible = [_venv().resolve(), _venv()] + [root / "data" for root in _hidden_roots()] + list(map(pathlib.Path, readable))
    for path in dict.fromkeys(visible):
        if path.exists():
            args += ["--ro-bind", str(path.resolve()), str(path)]
    for path in writable:
        args += ["--bind", str(path), str(path)]
    for path in capped:
        args += ["--size", str(caps.folder_bytes), "--tmpfs", str(path)]
        args += [a for e in sorted(pathlib.Path(path).iterdir()) for a in ("--ro-bind", str(e), str(e))]
    base_env = clean_environment(env)
    for key in ("PATH", "USER", "LOGNAME", "LANG", "LC_ALL"):
        base_env.pop(key)
    for key, value in base_env.items():
        args += ["--setenv", key, value]
    args += ["--unsetenv", "PYTHONPATH"] if "PYTHONPATH" not in base_env else []
    args += ["--unsetenv", "JPY_PARENT_PID"]
    if chdir:
        args += ["--chdir", str(chdir)]
    return args


def launch_environment():
    """The environment of the command that starts bubblewrap (see LAUNCH_ENVIRONMENT); the
    grading process's own when confinement is off."""
    return dict(LAUNCH_ENVIRONMENT) if confined() else dict(os.environ)


def limit_resources():
    """preexec_fn: resource limits for the sandboxed child (inherited through bwrap), and the
    graded notebook's cgroup when there is one."""
    group = limits.current()
    if group is not None and group.active:
        group.join()
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 5))
    process_limits()


def process_limits():
    """preexec_fn of a long-lived sandboxed process (the probe server): the per-process limits
    without a CPU-time cap or a notebook's cgroup (each job's child sets its own CPU cap and is
    placed in its notebook's group)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if not _cuda_present():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))


class Process:
    """A sandboxed process started by `start`; `wait` returns (returncode or None, stderr tail).

    stdout is discarded; stderr goes to a file, so a flood stops at the file-size limit instead
    of filling the grader's memory.
    """

    def __init__(self, argv, *, writable=(), readable=(), env=None, chdir=None):
        import tempfile
        self._err = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(bwrap_args(writable, readable, env, chdir) + list(argv),
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=self._err, preexec_fn=limit_resources,
                                      env=launch_environment())

    def wait(self, timeout):
        try:
            code = self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()  # bwrap's --die-with-parent takes the sandbox down with it
            self._proc.wait()
            code = None
        self._err.seek(max(0, self._err.seek(0, 2) - 4000))
        tail = self._err.read().decode("utf-8", "replace")
        self._err.close()
        return code, tail


# ---------------------------------------------------------------------------------------------
# Before anyone is graded: can a sandboxed interpreter run the notebooks at all?
# ---------------------------------------------------------------------------------------------

class GradingEnvironmentBroken(RuntimeError):
    """Student code cannot run here for a reason that is not the student's: every submission
    would get the same zeros. Autograde stops instead of recording them."""


# What every notebook's kernel imports before the student's first cell.
KERNEL_MODULES = ("ipykernel", "ipykernel_launcher")


def notebook_modules(root=None):
    """The installed packages the course's notebooks and shipped modules import (read from the
    release folders; the standard library and the course's own modules beside the notebooks
    are left out: the interpreter's start covers the one, the grading covers the other)."""
    import importlib.util
    from grader_tests.framework.sandboxed import harness
    root = pathlib.Path(root or os.environ.get("COURSE_ROOT") or COURSE_ROOT)
    sources = []
    for path in sorted((root / "release").glob("*/*")):
        try:
            if path.suffix == ".ipynb":
                cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
                sources += ["".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code"]
            elif path.suffix == ".py":
                sources.append(path.read_text(encoding="utf-8", errors="replace"))
        except (OSError, ValueError, AttributeError):
            continue
    names = {name.split(".")[0] for name in harness.imported_modules(sources)}
    local = {p.stem for p in (root / "release").glob("*/*.py")}
    installed = []
    for name in sorted(names - local - set(sys.stdlib_module_names)):
        try:
            if importlib.util.find_spec(name) is not None:
                installed.append(name)
        except (ImportError, ValueError):
            pass
    return installed


_PREFLIGHT = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"


BROKEN_MARK = "Student code cannot run in the grading sandbox"


def preflight(modules=None, timeout=120):
    """Start a sandboxed interpreter exactly as the kernel's (view, user, environment, limits)
    and import `modules` (default: the kernel's and the notebooks' packages). None when it
    works, else the reason (what failed, and the interpreter's last words)."""
    import tempfile
    try:
        tools = require_tools()
    except SandboxUnavailable as err:
        return str(err)
    modules = list(KERNEL_MODULES) + list(notebook_modules() if modules is None else modules)
    with tempfile.TemporaryDirectory(prefix="sandbox-preflight-") as folder:
        os.chmod(folder, 0o755)
        argv = (prlimit_args(KERNEL_CPU_SECONDS) + bwrap_args(capped=[folder], chdir=folder)
                + [sys.executable, "-c", _PREFLIGHT, *modules])
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                                  env=launch_environment(), stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return f"a sandboxed interpreter did not import {', '.join(modules)} within {timeout} s"
        except OSError as err:
            return f"the sandbox could not be started ({err}; tools: {tools})"
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-4:])
        return (f"a sandboxed interpreter ({sys.executable}) could not start or import "
                f"{', '.join(modules)} (exit {proc.returncode}): {tail}")
    return None


# A working preflight is remembered for an hour per machine and view: it costs ~3.5 s (torch,
# librosa, scikit-learn imported), and plain `nbgrader autograde` is one process per run. A kernel
# that then fails to start runs it again (`recheck`), so a view broken since is still caught.
PREFLIGHT_VALID_SECONDS = 3600
_preflight_result = None


def _view_digest(modules):
    """What a preflight's success depends on: the sandbox command, the interpreter, the modules,
    and the identity and modification time of every folder the view binds."""
    import hashlib
    args = bwrap_args(chdir="/")
    stamps = []
    for entry in machine_view():
        try:
            st = os.stat(entry.source) if entry.how == "ro" else None
        except OSError:
            st = None
        stamps.append([entry.how, entry.source, entry.dest, st and [st.st_ino, st.st_mtime_ns]])
    blob = json.dumps([args, sys.executable, sorted(modules), stamps, os.geteuid()])
    return hashlib.sha256(blob.encode()).hexdigest()


def _preflight_memo():
    import tempfile
    return pathlib.Path(tempfile.gettempdir()) / f"course-sandbox-preflight-{os.geteuid()}.json"


def _remembered(digest):
    import time
    path = _preflight_memo()
    try:
        if path.stat().st_uid != os.geteuid():
            return False
        stamp = json.loads(path.read_text()).get(digest, 0)
    except (OSError, ValueError, AttributeError):
        return False
    return 0 <= time.time() - stamp < PREFLIGHT_VALID_SECONDS


def _remember(digest):
    import time
    path = _preflight_memo()
    try:
        memo = json.loads(path.read_text()) if path.exists() and path.stat().st_uid == os.geteuid() else {}
    except (OSError, ValueError):
        memo = {}
    memo = {k: v for k, v in memo.items() if time.time() - v < PREFLIGHT_VALID_SECONDS}
    memo[digest] = time.time()
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(memo))
    tmp.chmod(0o600)
    tmp.replace(path)


def require_working_sandbox(root=None):
    """Run `preflight` once per process (or trust one that passed on this machine with the same
    view within the hour); raise GradingEnvironmentBroken with its reason. `root`: the course
    (default: $COURSE_ROOT, which nbgrader_config.py sets)."""
    global _preflight_result
    if _preflight_result is None:
        modules = notebook_modules(root)
        digest = _view_digest(modules)
        if _remembered(digest):
            _preflight_result = ""
        else:
            _preflight_result = preflight(modules) or ""
            if not _preflight_result:
                _remember(digest)
    if _preflight_result:
        raise GradingEnvironmentBroken(
            f"{BROKEN_MARK}: {_preflight_result}. Nothing was "
            "graded; fix the grading environment (see the README's sandbox section).")


def recheck():
    """Run the preflight again, unremembered (a kernel did not start): the reason when the
    grading environment is broken, else None (the failure was the submission's own)."""
    global _preflight_result
    _preflight_result = preflight() or ""
    return _preflight_result or None


# ---------------------------------------------------------------------------------------------
# The student's notebook kernel, sandboxed
# ---------------------------------------------------------------------------------------------

from jupyter_client.manager import AsyncKernelManager  # noqa: E402

KERNEL_CPU_SECONDS = 600     # a whole notebook on the short schedule needs ~10 s of CPU


def prlimit_args(cpu_seconds):
    """`prlimit` prefix with the limits of `limit_resources` (for processes we do not fork)."""
    args = [shutil.which("prlimit") or "prlimit", f"--cpu={cpu_seconds}", f"--fsize={FILE_BYTES}",
            f"--nofile={OPEN_FILES}", "--core=0"]
    if not _cuda_present():
        args.append(f"--as={ADDRESS_SPACE_BYTES}")
    return args + ["--"]


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the notebook kernel under bubblewrap and resource limits.

    The kernel talks over Jupyter's IPC transport (unix sockets in a private runtime folder
    shared with the sandbox) because the sandbox has no network. It sees the view of
    `machine_view`, its working folder (autograded/<student>/<assignment>) read-only with a
    capped tmpfs for its writes, and no other course file. Under autograde it joins the
    notebook's cgroup before bubblewrap starts (`limits.SubmissionCgroup.join_prefix`).
    """

    async def _async_pre_start_kernel(self, **kw):
        import tempfile
        self._runtime_dir = tempfile.mkdtemp(prefix="sandboxed-kernel-", dir=scratch_dir())
        RUNTIME_DIRS.add(self._runtime_dir)
        give_to_sandbox(self._runtime_dir)    # the kernel creates its sockets there
        self.transport = "ipc"
        self.ip = os.path.join(self._runtime_dir, "ipc")
        self.connection_file = os.path.join(self._runtime_dir, "connection.json")
        cwd = kw.get("cwd") or os.getcwd()
        # A cell timeout's SIGINT reaches bwrap, which ends the sandbox: the kernel dies and
        # ContainedExecute marks the later cells not run (verdicts come from trusted grading).
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        give_to_sandbox(self.connection_file)   # written by the grader, read by the kernel
        group = limits.current()
        sandboxed = ((group.join_prefix() if group is not None else [])
                     + prlimit_args(KERNEL_CPU_SECONDS)
                     + bwrap_args(writable=[self._runtime_dir], capped=[cwd], chdir=cwd) + list(cmd))
        kw["env"] = launch_environment()
        return sandboxed, kw

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart and getattr(self, "_runtime_dir", None):
            remove_runtime_dir(self._runtime_dir)


# Kernel runtime folders (sockets, the connection key) this process made and has not removed:
# nbclient does not clean up after a kernel that died or timed out, so the notebook's grading
# removes what is left (nbgrader_plugins.ContainedExecute).
RUNTIME_DIRS = set()


def remove_runtime_dir(folder):
    shutil.rmtree(folder, ignore_errors=True)
    RUNTIME_DIRS.discard(folder)


def remove_runtime_dirs():
    for folder in list(RUNTIME_DIRS):
        remove_runtime_dir(folder)
