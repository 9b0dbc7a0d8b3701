"""Run student code under bubblewrap with resource limits (issue: trusted, crash-contained grading).

What a sandboxed process sees:
- the whole file system read-only, except: the course root is replaced by an empty tmpfs with
  only the virtualenv and `data/` mounted back read-only (no `source/`, `reference/`,
  `grader_tests/`, `gradebook.db`, `submitted/`, `autograded/`, `feedback/`);
- `/tmp` and HOME are a private tmpfs (IPython, matplotlib and numba want a writable home);
- `writable` folders (its own working folder) are bound read-write at the same path;
- no network (`--unshare-all`: loopback only), its own PID namespace, no capabilities
  (`--cap-drop ALL`), killed with its parent;
- GPU device nodes when CUDA is present.
Resource limits (setrlimit in the child): CPU time, file size (an output flood stops at the
limit), open files, and an address-space cap when no GPU is in use (an AS cap breaks CUDA).
Under autograde, every process of one graded notebook (kernel and probes) also joins that
notebook's cgroup (grader_tests/framework/limits.py: memory with tmpfs, processes, CPU share);
the sandbox's /tmp is a tmpfs capped at `tmp_bytes`, and the kernel writes its working folder
into a tmpfs capped at `folder_bytes` (the files nbgrader put there stay readable; nothing the
kernel writes reaches autograded/ or the feedback).

bubblewrap is a Debian package (`apt-get install bubblewrap`); `make venv` installs it when
missing. `require_bwrap()` fails loudly instead of grading unsandboxed.
"""
import os
import pathlib
import resource
import shutil
import subprocess

from grader_tests.framework import limits

# Folders hidden from student code: the course root nbgrader runs in (nbgrader_config.py sets
# COURSE_ROOT) and the folder this package really lives in (they differ when linked).
COURSE_ROOT = pathlib.Path(__file__).resolve().parents[2]


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


class SandboxUnavailable(RuntimeError):
    pass


def require_bwrap():
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed: student code would run unsandboxed. Install it "
            "(Debian/Ubuntu: apt-get install bubblewrap) or run `make venv`.")
    return path


def _cuda_present():
    return any(pathlib.Path("/dev").glob("nvidia*"))


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
    args = ["--size", str(size), "--tmpfs", str(folder)]
    for entry in sorted(folder.iterdir()):
        args += ["--ro-bind", str(entry), str(entry)]
    return args


def bwrap_args(writable=(), readable=(), env=None, chdir=None, capped=()):
    """The bwrap command prefix for a sandboxed process; `capped`: folders it may read and write
    into, up to the folder cap, without changing them (`_capped_folder_args`)."""
    venv = pathlib.Path(os.environ.get("VIRTUAL_ENV", "") or pathlib.Path(os.sys.prefix)).resolve()
    caps = _caps()
    # --cap-drop ALL: run as root, bubblewrap would leave the sandbox every capability inside its
    # user namespace (ptrace of its own processes included)
    args = [require_bwrap(), "--die-with-parent", "--unshare-all", "--new-session", "--cap-drop", "ALL",
            "--ro-bind", "/", "/", "--proc", "/proc"]
    if limits.switched_off():     # measuring what hostile code gets without the caps
        args += ["--tmpfs", "/tmp"]
        writable, capped = list(writable) + list(capped), ()
    else:
        args += ["--size", str(caps.tmp_bytes), "--tmpfs", "/tmp"]
    for root in _hidden_roots():
        args += ["--tmpfs", str(root)]
    args += ["--dev-bind", "/dev", "/dev"] if _cuda_present() else ["--dev", "/dev"]
    visible = [venv] + [root / "data" for root in _hidden_roots()] + list(map(pathlib.Path, readable))
    for path in dict.fromkeys(visible):
        if path.exists():
            args += ["--ro-bind", str(path.resolve()), str(path)]
    for path in writable:
        args += ["--bind", str(path), str(path)]
    for path in capped:
        args += _capped_folder_args(path, caps.folder_bytes)
    home = "/tmp/home"
    base_env = {"HOME": home, "MPLCONFIGDIR": f"{home}/.mpl", "NUMBA_CACHE_DIR": f"{home}/.numba",
                "IPYTHONDIR": f"{home}/.ipython", "PYTHONDONTWRITEBYTECODE": "1",
                "MPLBACKEND": "Agg"}
    # Parallel autograde runs one grading process per core: each sandboxed process keeps to its
    # core's worth of BLAS/OpenMP threads (torch, numpy), so neighbours do not oversubscribe the
    # machine (COURSE_SANDBOX_THREADS, default 1).
    threads = os.environ.get("COURSE_SANDBOX_THREADS", "1")
    base_env.update({name: threads for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")})
    base_env.update(env or {})
    for key, value in base_env.items():
        args += ["--setenv", key, value]
    args += ["--unsetenv", "PYTHONPATH"] if "PYTHONPATH" not in base_env else []
    # ipykernel polls its parent's PID, which means nothing inside a PID namespace; the kernel
    # still dies with its parent through --die-with-parent
    args += ["--unsetenv", "JPY_PARENT_PID"]
    if chdir:
        args += ["--chdir", str(chdir)]
    return args


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
                                      stderr=self._err, preexec_fn=limit_resources)

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
# The student's notebook kernel, sandboxed
# ---------------------------------------------------------------------------------------------

from jupyter_client.manager import AsyncKernelManager  # noqa: E402

KERNEL_CPU_SECONDS = 600     # a whole notebook on the short schedule needs ~10 s of CPU


def prlimit_args(cpu_seconds):
    """`prlimit` prefix with the limits of `limit_resources` (for processes we do not fork)."""
    args = ["prlimit", f"--cpu={cpu_seconds}", f"--fsize={FILE_BYTES}", f"--nofile={OPEN_FILES}",
            "--core=0"]
    if not _cuda_present():
        args.append(f"--as={ADDRESS_SPACE_BYTES}")
    return args + ["--"]


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the notebook kernel under bubblewrap and resource limits.

    The kernel talks over Jupyter's IPC transport (unix sockets in a private runtime folder
    shared with the sandbox) because the sandbox has no network. It can read the virtualenv,
    data/ and its working folder (autograded/<student>/<assignment>), write into a capped tmpfs
    over that folder, and sees no other course file. Under autograde it joins the notebook's
    cgroup before bubblewrap starts (`limits.SubmissionCgroup.join_prefix`).
    """

    async def _async_pre_start_kernel(self, **kw):
        import tempfile
        self._runtime_dir = tempfile.mkdtemp(prefix="sandboxed-kernel-", dir=scratch_dir())
        self.transport = "ipc"
        self.ip = os.path.join(self._runtime_dir, "ipc")
        self.connection_file = os.path.join(self._runtime_dir, "connection.json")
        cwd = kw.get("cwd") or os.getcwd()
        # A cell timeout's SIGINT reaches bwrap, which ends the sandbox: the kernel dies and
        # ContainedExecute marks the later cells not run (verdicts come from trusted grading).
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        group = limits.current()
        sandboxed = ((group.join_prefix() if group is not None else [])
                     + prlimit_args(KERNEL_CPU_SECONDS)
                     + bwrap_args(writable=[self._runtime_dir], capped=[cwd], chdir=cwd) + list(cmd))
        return sandboxed, kw

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart and getattr(self, "_runtime_dir", None):
            shutil.rmtree(self._runtime_dir, ignore_errors=True)
