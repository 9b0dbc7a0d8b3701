"""One cgroup per graded notebook around everything its student code runs (SPEC 9).

The sandboxed kernel and the sandboxed probe runner of one submitted notebook join the same
control group, so their caps hold for all their processes together:

- memory, tmpfs included (`/tmp`, the kernel's working folder and the runtime folders are
  tmpfs whose pages are charged to the process that writes them): `memory_bytes`;
- number of processes and threads: `pids`;
- CPU: an equal weight per graded notebook (a busy background loop competes inside its own
  notebook's share, not against the neighbours), plus a hard cap of `cpus` cores when set
  (`tools/course.py autograde` sets the machine's cores divided by its parallel jobs).

Inside the group the kernel and the probe runner each have a leaf (`kernel/`, `probes/`: in the
pids hierarchy on v1, in the unified one on v2). The kernel's leaf holds all but
`probe_pids_reserve(pids)` of the process cap: the kernel's processes (a fork bomb, a thousand
sleeping children) cannot starve the grader's own runs of the same answer cells, which fork one
child per unit while the kernel runs.

cgroup v2 (the unified hierarchy) and v1 (separate `memory`, `pids`, `cpu`, `cpuacct`
hierarchies, as on this machine) are both supported. The groups are created below the grading
process's own cgroup (inside a `course-grading` folder), so limits set by a container or a batch
system above still apply. Where neither can be used (no permission, no controller), grading
runs in the documented degraded mode: per-process rlimits only (sandbox.limit_resources), with a
loud warning in the log and `mode: "rlimits"` in every run record.

Lifetime: `SubmissionCgroup.create()` when the notebook's grading starts; `close()` when it
ends kills whatever is left in the group (background processes, a fork bomb) and removes it,
returning the usage figures for the run record. A grading process that dies mid-notebook leaves
its groups behind: the next `create()` (any grading process) reaps groups whose owner is gone.

Configuration (nbgrader_config.py, `c.SubmissionLimits.*`), defaults in the spirit of
PrairieLearn's grader containers:
    memory_bytes = 2 GiB, pids = 1024, cpus = 0 (no hard cap: equal weights only),
    tmp_bytes = 512 MiB (the sandbox's /tmp), folder_bytes = 256 MiB (what a kernel may write in
    its working folder).
Environment overrides: COURSE_SUBMISSION_CPUS (set by the parallel driver);
COURSE_SUBMISSION_LIMITS=off switches every per-submission limit off, the /tmp and folder caps
included (for measuring what hostile code gets without them: tools/bench_hostile.py).
"""
import contextlib
import functools
import os
import pathlib
import signal
import time

from traitlets import Float, Integer
from traitlets.config import LoggingConfigurable

GROUP_FOLDER = "course-grading"
CGROUP_ROOT = pathlib.Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids", "cpu", "cpuacct")
CPU_PERIOD_US = 100_000
ROLES = ("kernel", "probes")     # the leaves of a notebook's group (see the module docstring)


def probe_pids_reserve(pids):
    """Processes and threads of the cap kept for the probe runner: it forks one child per unit
    (one at a time) and torch starts a few threads in each; 64 is ample, a quarter of a small cap."""
    return min(64, max(1, pids // 4))


# Wall time of one unit's hidden tests (its sandboxed probes): the slowest legitimate unit takes
# ~3 s on a laptop CPU, so 30 s leaves room for a slow machine while a hanging answer costs half
# a minute of its own run.
UNIT_SECONDS = 30


class SubmissionLimits(LoggingConfigurable):
    """Caps for everything one graded notebook's student code runs (kernel and probes)."""

    memory_bytes = Integer(2 * 2**30, help="Memory of all the notebook's sandboxed processes "
                           "together, tmpfs files included (bytes).").tag(config=True)
    pids = Integer(1024, help="Processes and threads of the notebook's student code together.").tag(config=True)
    cpus = Float(0.0, help="Hard cap in cores for the notebook's processes together (0: none; "
                 "every notebook still gets an equal CPU weight). COURSE_SUBMISSION_CPUS "
                 "overrides it.").tag(config=True)
    tmp_bytes = Integer(512 * 2**20, help="Size of the sandbox's /tmp (a tmpfs).").tag(config=True)
    folder_bytes = Integer(256 * 2**20, help="What the kernel may write in its working folder "
                           "(a tmpfs over it; the files nbgrader put there stay readable).").tag(config=True)
    unit_seconds = Integer(UNIT_SECONDS, help="Wall time of one unit's hidden tests (its sandboxed "
                           "probes) before they are stopped and the unit scores 0.").tag(config=True)

    def phrase(self, cap):
        """How a student's feedback names the cap `cap` ('memory' or 'pids')."""
        return {"memory": f"the memory limit for a submission ({self.memory_bytes / 2**30:g} GiB "
                          "for all its processes together, files in /tmp and the working folder "
                          "included)",
                "pids": f"the limit of {self.pids} processes and threads for a submission"}[cap]

    def effective_cpus(self):
        env = os.environ.get("COURSE_SUBMISSION_CPUS")
        return float(env) if env else float(self.cpus)


# ---------------------------------------------------------------------------------------------
# Which cgroup hierarchy this process can use
# ---------------------------------------------------------------------------------------------

def _mounts(mountinfo="/proc/self/mountinfo"):
    """[(mount point, fstype, super options)] of the cgroup file systems."""
    found = []
    with contextlib.suppress(OSError):
        for line in open(mountinfo):
            left, _, right = line.partition(" - ")
            fstype, _, options = (right.split() + ["", "", ""])[:3]
            if fstype in ("cgroup", "cgroup2"):
                found.append((left.split()[4], fstype, options.split(",")))
    return found


def _own_paths(proc_cgroup="/proc/self/cgroup"):
    """{controller or '' (v2): path of this process's cgroup in that hierarchy}."""
    paths = {}
    with contextlib.suppress(OSError):
        for line in open(proc_cgroup):
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for name in (controllers.split(",") if controllers else [""]):
                paths[name] = path
    return paths


def _writable_dir(path):
    return path.is_dir() and os.access(path, os.W_OK)


def switched_off():
    return os.environ.get("COURSE_SUBMISSION_LIMITS", "").lower() in ("off", "0", "no")


@functools.lru_cache(maxsize=None)
def detect():
    """('v2', {'': base}) or ('v1', {controller: base}) or (None, reason): where this process
    may create its submissions' groups (base = <own cgroup>/course-grading). Found once per process
    (a grading process creates one group per notebook)."""
    mounts, own = _mounts(), _own_paths()
    reasons = []
    v1 = {}
    for point, fstype, options in mounts:
        if fstype == "cgroup":
            for controller in V1_CONTROLLERS:
                if controller in options and controller in own:
                    v1[controller] = pathlib.Path(point) / own[controller].lstrip("/") / GROUP_FOLDER
    if all(c in v1 for c in ("memory", "pids", "cpu")):
        try:
            for base in v1.values():
                base.mkdir(exist_ok=True)
            if all(_writable_dir(b) for b in v1.values()):
                return "v1", v1
            reasons.append("cgroup v1 folders not writable")
        except OSError as err:
            reasons.append(f"cgroup v1 not writable ({err})")
    for point, fstype, _ in mounts:
        if fstype == "cgroup2" and "" in own:
            try:
                return "v2", {"": _prepare_v2(pathlib.Path(point) / own[""].lstrip("/"))}
            except OSError as err:
                reasons.append(f"cgroup v2 not usable ({err})")
    return None, "; ".join(reasons) or "no cgroup hierarchy with the memory, pids and cpu controllers"


def _prepare_v2(own):
    """A v2 subtree we may delegate controllers in: `own`/course-grading, with this process moved
    into `own`/grader (the no-internal-processes rule forbids enabling controllers in a group
    that holds processes)."""
    base = own / GROUP_FOLDER
    needed = {"memory", "pids", "cpu"}
    if not needed <= set((own / "cgroup.controllers").read_text().split()):
        raise OSError(f"controllers {sorted(needed)} not delegated to {own}")
    enabled = set((own / "cgroup.subtree_control").read_text().split())
    if not needed <= enabled:
        if (own / "cgroup.procs").read_text().split():
            leaf = own / "grader"
            leaf.mkdir(exist_ok=True)
            for pid in (own / "cgroup.procs").read_text().split():
                with contextlib.suppress(OSError):
                    (leaf / "cgroup.procs").write_text(pid)
        (own / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in sorted(needed)))
    base.mkdir(exist_ok=True)
    (base / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in sorted(needed)))
    return base


# ---------------------------------------------------------------------------------------------
# One graded notebook's group
# ---------------------------------------------------------------------------------------------

def _read(path, default=""):
    try:
        return path.read_text()
    except OSError:
        return default


def _read_int(path, default=0):
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return default


def _keyed(path):
    """A flat-keyed cgroup file ('key value' lines) as a dict of ints."""
    out = {}
    for line in _read(path).splitlines():
        key, _, value = line.partition(" ")
        with contextlib.suppress(ValueError):
            out[key] = int(value)
    return out


class SubmissionCgroup:
    """The cgroup of one graded notebook. `procs_files` are the `cgroup.procs` files a process
    writes its pid to, to join (one per hierarchy); `mode` is 'v2', 'v1' or 'rlimits'."""

    def __init__(self, mode, dirs, limits, reason=None):
        self.mode, self.dirs, self.limits, self.reason = mode, dirs, limits, reason
        self.capped = mode != "rlimits"
        self.leaves = {}     # {role: {controller: folder}} (`_make_leaves`)
        self.started = time.monotonic()

    @classmethod
    def create(cls, label, limits=None, detected=None):
        limits = limits or SubmissionLimits()
        mode, where = detected or detect()
        if mode is None:
            return cls("rlimits", {}, limits, reason=where)
        name = f"{_safe(label)}-{os.getpid()}-{time.monotonic_ns()}"
        dirs = {}
        try:
            for controller, base in where.items():
                _reap_orphans(base, mode)
                path = base / name
                path.mkdir()
                dirs[controller] = path
            group = cls(mode, dirs, limits)
            group._make_leaves()
            if switched_off():   # a group that only measures
                group.capped, group.reason = False, "switched off (COURSE_SUBMISSION_LIMITS=off)"
            else:
                group._set_limits()
            return group
        except OSError as err:
            cls(mode, dirs, limits).close()
            return cls("rlimits", {}, limits, reason=f"cgroup set-up failed ({err})")

    @property
    def active(self):
        return self.mode != "rlimits"

    def _make_leaves(self):
        """The kernel's and the probe runner's leaves (module docstring): in the pids hierarchy
        on v1 (the other controllers hold the notebook's processes directly), in the unified one on
        v2 (whose no-internal-processes rule wants every process in a leaf)."""
        controller = "" if self.mode == "v2" else "pids"
        parent = self.dirs[controller]
        if self.mode == "v2":
            (parent / "cgroup.subtree_control").write_text("+pids")
        self.leaves = {}
        for role in ROLES:
            (parent / role).mkdir()
            self.leaves[role] = {controller: parent / role}

    def procs_files(self, role="probes"):
        """The `cgroup.procs` files a process of `role` ('kernel' or 'probes') writes its pid to."""
        leaves = self.leaves.get(role, {})
        return [str(leaves.get(c, d) / "cgroup.procs") for c, d in self.dirs.items()]

    def _set_limits(self):
        lim, cpus = self.limits, self.limits.effective_cpus()
        if self.mode == "v2":
            d = self.dirs[""]
            (d / "memory.max").write_text(str(lim.memory_bytes))
            with contextlib.suppress(OSError):      # no swap accounting: nothing to cap
                (d / "memory.swap.max").write_text("0")
            (d / "pids.max").write_text(str(lim.pids))
            (d / "cpu.weight").write_text("100")
            if cpus > 0:
                (d / "cpu.max").write_text(f"{int(cpus * CPU_PERIOD_US)} {CPU_PERIOD_US}")
        else:
            mem = self.dirs["memory"]
            (mem / "memory.limit_in_bytes").write_text(str(lim.memory_bytes))
            with contextlib.suppress(OSError):      # memsw exists only with swap accounting
                (mem / "memory.memsw.limit_in_bytes").write_text(str(lim.memory_bytes))
            (self.dirs["pids"] / "pids.max").write_text(str(lim.pids))
            cpu = self.dirs["cpu"]
            (cpu / "cpu.shares").write_text("1024")
            if cpus > 0:
                (cpu / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
                (cpu / "cpu.cfs_quota_us").write_text(str(int(cpus * CPU_PERIOD_US)))
        for kernel_leaf in self.leaves["kernel"].values():     # the probes' reserve (module docstring)
            (kernel_leaf / "pids.max").write_text(str(lim.pids - probe_pids_reserve(lim.pids)))

    def join(self, pid=None, role="probes"):
        """Move `pid` (default: this process) into the group's `role` leaf: a preexec_fn for
        sandboxed children."""
        for procs in self.procs_files(role):
            with open(procs, "w") as fh:
                fh.write(str(pid or os.getpid()))

    def join_prefix(self, role="kernel"):
        """A command prefix that joins the group's `role` leaf, then execs the rest (for processes
        started by someone else's Popen, e.g. the kernel by jupyter_client); it refuses to run
        outside it."""
        if not self.active:
            return []
        import shlex
        script = "".join(f'echo $$ > {shlex.quote(p)} || exit 97; ' for p in self.procs_files(role))
        return ["/bin/sh", "-c", script + 'exec "$@"', "course-cgroup-join"]

    def pids_inside(self):
        """Every process in the group or its leaves."""
        pids = set()
        for d in self.dirs.values():
            for procs in [d / "cgroup.procs", *sorted(d.glob("*/cgroup.procs"))]:
                pids.update(int(p) for p in _read(procs).split())
        return pids

    def _pids_refused(self, folder):
        """Forks refused at the cap, the kernel's leaf included (where a kernel counts them
        depends on its version: the group over its limit, or the forking process's own)."""
        return sum(_keyed(f / "pids.events").get("max", 0)
                   for f in (folder, *self.leaves.get("kernel", {}).values()))

    def usage(self):
        """What the notebook's processes used, and which caps they hit."""
        if not self.active:
            return {}
        if self.mode == "v2":
            d = self.dirs[""]
            memory_events = _keyed(d / "memory.events")
            return {"memory_peak_bytes": _read_int(d / "memory.peak", None),
                    "memory_limit_hits": memory_events.get("max", 0) + memory_events.get("oom_kill", 0),
                    "oom_kills": memory_events.get("oom_kill", 0),
                    "pids_refused": self._pids_refused(d),
                    "cpu_seconds": _keyed(d / "cpu.stat").get("usage_usec", 0) / 1e6,
                    "cpu_throttled": _keyed(d / "cpu.stat").get("nr_throttled", 0)}
        mem, pids = self.dirs["memory"], self.dirs["pids"]
        cpu_seconds = (_read_int(self.dirs["cpuacct"] / "cpuacct.usage") / 1e9
                       if "cpuacct" in self.dirs else None)
        return {"memory_peak_bytes": _read_int(mem / "memory.max_usage_in_bytes"),
                "memory_limit_hits": _read_int(mem / "memory.failcnt"),
                "oom_kills": _keyed(mem / "memory.oom_control").get("oom_kill", 0),
                "pids_refused": self._pids_refused(pids),
                "cpu_seconds": cpu_seconds,
                "cpu_throttled": _keyed(self.dirs["cpu"] / "cpu.stat").get("nr_throttled", 0)}

    def limits_hit(self, usage=None):
        """The caps the notebook's code ran into: a subset of ['memory', 'pids']."""
        usage = self.usage() if usage is None else usage
        hit = []
        if usage.get("oom_kills") or (usage.get("memory_limit_hits") and
                                      usage.get("memory_peak_bytes", 0) >= 0.95 * self.limits.memory_bytes):
            hit.append("memory")
        if usage.get("pids_refused"):
            hit.append("pids")
        return hit

    def kill_all(self, rounds=200):
        """SIGKILL every process in the group until it is empty (a fork bomb included: the pids
        cap bounds how fast it refills). True when empty."""
        if self.mode == "v2":
            with contextlib.suppress(OSError):
                (self.dirs[""] / "cgroup.kill").write_text("1")
        for _ in range(rounds):
            pids = self.pids_inside()
            if not pids:
                return True
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)
        return not self.pids_inside()

    def close(self):
        """Kill what is left, remove the group; the usage figures and the caps hit."""
        usage = self.usage()
        usage["limits_hit"] = self.limits_hit(usage)
        usage["leftover_processes"] = len(self.pids_inside()) if self.active else 0
        self.kill_all()
        for d in self.dirs.values():
            _remove(d)
        self.dirs = {}
        usage["wall_seconds"] = round(time.monotonic() - self.started, 2)
        return usage


def _remove(folder):
    """rmdir a group and its leaves (cgroup folders go empty of processes first)."""
    for path in [*sorted(p for p in folder.glob("*") if p.is_dir()), folder]:
        for _ in range(50):
            try:
                path.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:     # processes still exiting
                time.sleep(0.02)


def _safe(label):
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label)[:60] or "notebook"


def _reap_orphans(base, mode):
    """Remove groups left by grading processes that died (their pid is in the name)."""
    for path in base.iterdir():
        if not path.is_dir():
            continue
        try:
            owner = int(path.name.rsplit("-", 2)[-2])
        except (ValueError, IndexError):
            continue
        if owner == os.getpid() or pathlib.Path(f"/proc/{owner}").exists():
            continue
        orphan = SubmissionCgroup(mode, {"x": path}, SubmissionLimits())
        orphan.kill_all()
        _remove(path)


# ---------------------------------------------------------------------------------------------
# The group of the notebook being graded in this process (nbgrader grades one at a time)
# ---------------------------------------------------------------------------------------------

_current = None


def current():
    """The group the sandbox puts student processes in, or None outside autograde."""
    return _current


def begin(label, limits=None):
    """Start the group of the notebook about to be graded (closing any left open)."""
    global _current
    if _current is not None:
        _current.close()
    _current = SubmissionCgroup.create(label, limits)
    return _current


def end():
    """Close the current group: its usage (see `SubmissionCgroup.close`), or {}."""
    global _current
    group, _current = _current, None
    if group is None:
        return {}
    usage = group.close()
    usage["mode"], usage["capped"] = group.mode, group.capped
    if group.reason:
        usage["degraded"] = group.reason
    return usage


def _close_at_exit():
    if _current is not None:
        end()


import atexit  # noqa: E402
atexit.register(_close_at_exit)
