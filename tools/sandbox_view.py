"""What student code sees of this machine, from inside the grading sandbox (SPEC 11).

    python tools/sandbox_view.py            # the view as configured, entry by entry, then from inside
    COURSE_SANDBOX_CONFINEMENT=off python tools/sandbox_view.py    # the earlier whole-machine view

Prints the view's entries with the reason for each (grader_tests/framework/pipeline/sandbox.py
`machine_view`), then runs a small program under exactly the kernel's sandbox (same view, user,
environment and limits, with a working folder of its own) that lists /, /etc, /dev, /dev/shm, the
home folders, the environment's names, its user and capabilities, and tries /etc/shadow.
"""
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader_tests.framework.pipeline import sandbox  # noqa: E402

INSIDE = r"""
import os
def listing(path):
    try:
        return " ".join(sorted(os.listdir(path))) or "(empty)"
    except OSError as err:
        return f"refused or absent ({type(err).__name__})"
status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
print(f"user      uid={os.getuid()} gid={os.getgid()} groups={os.getgroups()} "
      f"CapEff={status['CapEff'].strip()} CapBnd={status['CapBnd'].strip()} NoNewPrivs={status['NoNewPrivs'].strip()}")
for path in ("/", "/etc", "/dev", "/dev/shm", "/tmp", "/home", "/root", "/srv", "/var", "/mnt", "/opt"):
    print(f"{path:<9} {listing(path)}")
try:
    print(f"{'shadow':<9} first line starts {open('/etc/shadow').readline()[:6]!r}")
except OSError as err:
    print(f"{'shadow':<9} refused or absent ({type(err).__name__})")
print(f"{'env':<9} {' '.join(sorted(os.environ))}")
"""


def main():
    confined = sandbox.confined()
    print(f"confinement: {'on' if confined else 'OFF (COURSE_SANDBOX_CONFINEMENT=off)'}; "
          f"grading as uid {os.geteuid()}; sandbox user {sandbox.SANDBOX_UID if confined else 'the grader'}")
    if confined:
        print("\nthe view (mount order):")
        for entry in sandbox.machine_view():
            shown = entry.dest if entry.source in ("", entry.dest) else f"{entry.dest} <- {entry.source}"
            print(f"  {entry.how:<4} {shown}\n         {entry.why}")
        nodes = sandbox._gpu_nodes()
        print(f"  dev  a private /dev{'; GPU nodes: ' + ', '.join(nodes) if nodes else ' (no GPU nodes here)'}")
        print("  tmp  private /tmp and /dev/shm (capped tmpfs), its own /proc; the working folder on top")
    with tempfile.TemporaryDirectory(prefix="sandbox-view-") as folder:
        os.chmod(folder, 0o755)
        argv = (sandbox.prlimit_args(sandbox.KERNEL_CPU_SECONDS)
                + sandbox.bwrap_args(capped=[folder], chdir=folder) + [sys.executable, "-c", INSIDE])
        proc = subprocess.run(argv, capture_output=True, text=True, env=sandbox.launch_environment())
    print("\nfrom inside (a program run as the kernel is):")
    print(proc.stdout + proc.stderr[-2000:])
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
