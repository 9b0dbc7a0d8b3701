"""Run student code under bubblewrap with resource limits (issue: trusted, crash-contained grading).

What a sandboxed process sees:
- the whole file system read-only, except: the course root is replaced by an empty tmpfs with
  only the virtualenv and `data/` mounted back read-only (no `source/`, `reference/`,
  `grader_tests/`, `gradebook.db`, `submitted/`, `autograded/`, `feedback/`);
- `/tmp` and HOME are a private tmpfs (IPython, matplotlib and numba want a writable home);
- `writable` folders (its own working folder) are bound read-write at the same path;
- no network (`--unshare-all`: loopback only), its own PID namespace, killed with its parent;
- GPU device nodes when CUDA is present.
Resource limits (setrlimit in the child): CPU time, file size (an output flood stops at the
limit), open files, and an address-space cap when no GPU is in use (an AS cap breaks CUDA).

bubblewrap is a Debian package (`apt-get install bubblewrap`); `make venv` installs it when
missing. `require_bwrap()` fails loudly instead of grading unsandboxed.
"""
import os
import pathlib
import resource
import shutil
import subprocess

COURSE_ROOT = pathlib.Path(__file__).resolve().parents[1]

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


def bwrap_args(writable=(), readable=(), env=None, chdir=None):
    """The bwrap command prefix for a sandboxed process."""
    venv = pathlib.Path(os.environ.get("VIRTUAL_ENV", "") or pathlib.Path(os.sys.prefix)).resolve()
    args = [require_bwrap(), "--die-with-parent", "--unshare-all", "--new-session",
            "--ro-bind", "/", "/", "--proc", "/proc", "--tmpfs", "/tmp",
            "--tmpfs", str(COURSE_ROOT)]
    args += ["--dev-bind", "/dev", "/dev"] if _cuda_present() else ["--dev", "/dev"]
    for path in [venv, COURSE_ROOT / "data", *map(pathlib.Path, readable)]:
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    for path in writable:
        args += ["--bind", str(path), str(path)]
    home = "/tmp/home"
    base_env = {"HOME": home, "MPLCONFIGDIR": f"{home}/.mpl", "NUMBA_CACHE_DIR": f"{home}/.numba",
                "IPYTHONDIR": f"{home}/.ipython", "PYTHONDONTWRITEBYTECODE": "1",
                "MPLBACKEND": "Agg"}
    base_env.update(env or {})
    for key, value in base_env.items():
        args += ["--setenv", key, value]
    args += ["--unsetenv", "PYTHONPATH"] if "PYTHONPATH" not in base_env else []
    if chdir:
        args += ["--chdir", str(chdir)]
    return args


def limit_resources():
    """preexec_fn: resource limits for the sandboxed child (inherited through bwrap)."""
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if not _cuda_present():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))


def run(argv, *, writable=(), readable=(), env=None, chdir=None, timeout=120):
    """Run `argv` sandboxed; returns (returncode, or None on timeout, and the end of stderr).

    stdout is discarded; stderr goes to a file, so a flood stops at the file-size limit instead
    of filling the grader's memory.
    """
    import tempfile
    cmd = bwrap_args(writable, readable, env, chdir) + list(argv)
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=err, timeout=timeout, preexec_fn=limit_resources)
            code = proc.returncode
        except subprocess.TimeoutExpired:
            code = None
        err.seek(max(0, err.seek(0, 2) - 4000))
        return code, err.read().decode("utf-8", "replace")
