"""Autograde on Dask: one task per submission, long-lived workers, incremental re-runs.

`autograde(root, assignment, ...)` (what `tools/course.py autograde` runs):
1. intake of every submission (grader_tests/framework/pipeline/intake.py), once, in this process;
2. the submissions to grade: every one whose files changed since it was last graded, or all
   when the grader changed (its code, the reference, the source notebooks, the course config:
   `grader_fingerprint`) or `force`; the state is kept in reports/<a>/grading_state.json;
3. one Dask task per submission (`grade_submission`), dynamically balanced: on a `LocalCluster`
   started here (one single-threaded worker process per core) or on an existing cluster
   (`scheduler="tcp://host:8786"`: `dask scheduler` + `dask worker`, dask-jobqueue, SSH). A
   worker grades through nbgrader's own Python API (`NbGraderAPI.autograde`), so its
   interpreter, nbgrader, torch and the reference are loaded once per worker, not per
   submission. A task whose worker dies is rerun elsewhere (Dask reschedules it); nbgrader's
   `--force` semantics make the rerun complete. A submission that fails is reported with its
   reason and does not stop the others;
4. a progress bar (tqdm, stderr: count, rate, ETA) and, at the end, one line per failed or
   flagged submission and the totals.

On several machines: workers share the course folder (a shared file system) and the gradebook
(PostgreSQL: `COURSE_DB_URL=postgresql://user@host/db`, read by nbgrader_config.py on every
machine). GPU workers are declared with `dask worker --resources GPU=1`; `gpu=True` sends every
submission to them, and their trusted judging runs on CUDA (harness.grading_devices).
"""
import contextlib
import hashlib
import json
import os
import pathlib
import sys
import time

STATE_FILE = "grading_state.json"
# What a grade depends on besides the submission: when any of these changes, everyone is regraded.
GRADER_GLOBS = ("nbgrader_config.py", "grader_tests/framework/**/*.py", "grader_tests/framework/**/*.j2",
                "grader_tests/{package}/*.py", "reference/{assignment}.py", "handouts/*.py",
                "source/{assignment}/*.ipynb")


# ---------------------------------------------------------------------------------------------
# In the worker
# ---------------------------------------------------------------------------------------------

_APIS = {}


def course_config(root, step="autograde"):
    """The course's nbgrader_config.py loaded as `nbgrader <step>` would load it."""
    from traitlets.config.loader import PyFileConfigLoader
    os.environ["COURSE_NBGRADER_STEP"] = step
    try:
        return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    finally:
        os.environ.pop("COURSE_NBGRADER_STEP", None)


def _api(root, db_url, run_id):
    """One NbGraderAPI per course and run in this worker (the config's intake and expected-files
    filter look at the submissions of this run)."""
    key = (str(root), db_url, run_id)
    if key not in _APIS:
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        config = course_config(root)
        if db_url:
            config.CourseDirectory.db_url = db_url
        _APIS.clear()
        _APIS[key] = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    return _APIS[key]


class _output_to:
    """Point this process's stdout and stderr (file descriptors, so child processes inherit
    them) at `log` for the duration."""

    def __init__(self, log):
        self.log = log

    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self.saved = os.dup(1), os.dup(2)
        os.dup2(self.log.fileno(), 1)
        os.dup2(self.log.fileno(), 2)

    def __exit__(self, *exc):
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(self.saved[0], 1)
        os.dup2(self.saved[1], 2)
        os.close(self.saved[0])
        os.close(self.saved[1])


def grade_submission(root, assignment, student, db_url=None, run_id=None):
    """Autograde one submission in this worker; plain data back for the driver."""
    start = time.perf_counter()
    os.chdir(root)
    logs = pathlib.Path(root) / "reports" / assignment / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / f"{student}.log", "w") as log, _output_to(log):
        # nbgrader's log and whatever the kernel and probes print go to the submission's log
        result = _api(root, db_url, run_id).autograde(assignment, student, force=True, create=True)
        log.write(result.get("log") or "")
        log.write(result.get("error") or "")
    runs = pathlib.Path(root) / "reports" / assignment / "runs" / student
    records = [json.loads(p.read_text()) for p in sorted(runs.glob("*.json"))] if runs.is_dir() else []
    error = (result.get("error") or "").strip().splitlines()
    return {"student": student, "success": bool(result.get("success")),
            "error": error[-1] if error else "", "seconds": time.perf_counter() - start,
            "worker": os.getpid(),
            "limits_hit": sorted({h for r in records for h in r.get("limits_hit", [])}),
            "kernel": "died" if any(r.get("kernel") == "died" for r in records) else "ok"}


# ---------------------------------------------------------------------------------------------
# In the driver
# ---------------------------------------------------------------------------------------------

def _digest(paths, base):
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(base)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def grader_fingerprint(root, assignment):
    from grader_tests.framework.contract import table
    root = pathlib.Path(root)
    package = table.load(assignment).package_name.split(".")[-1]
    paths = {p for pattern in GRADER_GLOBS
             for p in root.glob(pattern.format(package=package, assignment=assignment)) if p.is_file()}
    return _digest(paths, root)


def submission_fingerprint(root, assignment, student):
    folder = pathlib.Path(root) / "submitted" / student / assignment
    return _digest([p for p in folder.rglob("*") if p.is_file()], folder)


def graded(root, assignment, student):
    """Whether every notebook of the student's submission has an autograded copy."""
    from grader_tests.framework.contract import table
    folder = pathlib.Path(root) / "autograded" / student / assignment
    return all((folder / name).exists() for name in table.load(assignment).notebook_files)


def to_grade(root, assignment, students, force=False):
    """(students to grade now, the fingerprints to record for them)."""
    path = pathlib.Path(root) / "reports" / assignment / STATE_FILE
    state = json.loads(path.read_text()) if path.exists() else {}
    grader = grader_fingerprint(root, assignment)
    prints = {s: submission_fingerprint(root, assignment, s) for s in students}
    todo = [s for s in students
            if force or state.get(s) != {"grader": grader, "submission": prints[s]}
            or not graded(root, assignment, s)]
    return todo, {s: {"grader": grader, "submission": prints[s]} for s in students}


def _save_state(root, assignment, updates):
    path = pathlib.Path(root) / "reports" / assignment / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    state = json.loads(path.read_text()) if path.exists() else {}
    state.update(updates)
    path.write_text(json.dumps(state, indent=1, sort_keys=True))


class Cluster:
    """A Dask client: on the cluster at `scheduler`, or on a LocalCluster of `workers`
    single-threaded worker processes started (and stopped) here."""

    def __init__(self, root, scheduler=None, workers=None):
        self.root, self.scheduler, self.workers = str(root), scheduler, workers or os.cpu_count() or 1
        self.cluster = self.client = None
        self._user_env = dict(os.environ)

    def __enter__(self):
        import dask
        from distributed import Client, LocalCluster
        # workers import the grader from the course root; each graded notebook's processes get at
        # most its share of the machine (limits.py)
        paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        os.environ["PYTHONPATH"] = os.pathsep.join([self.root] + [p for p in paths if p != self.root])
        if self.scheduler:
            self.client = Client(self.scheduler, timeout=30)
        else:
            if "COURSE_SUBMISSION_CPUS" not in self._user_env:
                os.environ["COURSE_SUBMISSION_CPUS"] = f"{(os.cpu_count() or 1) / self.workers:g}"
            dask.config.set({"distributed.worker.daemon": False,           # workers start sandboxes
                             "distributed.scheduler.allowed-failures": 3,
                             "distributed.worker.memory.target": False,     # the cgroups bound memory
                             "distributed.worker.memory.spill": False,
                             "distributed.worker.memory.pause": False,
                             "distributed.worker.memory.terminate": False})
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        for name in ("PYTHONPATH", "COURSE_SUBMISSION_CPUS"):
            if name in self._user_env:
                os.environ[name] = self._user_env[name]
            else:
                os.environ.pop(name, None)


def autograde(root, assignment, students, scheduler=None, workers=None, force=False, gpu=False,
              db_url=None, progress=True, on_submitted=None, client=None):
    """Grade `students`' submissions of `assignment` (see the module docstring); `client`: a
    Dask client to grade on instead of a cluster started for this call (`serve` keeps one
    warm across its cycles). Returns a summary: {"graded": [...], "skipped": [...],
    "failed": {student: reason}, "flagged": {student: reason}, "wall_seconds", "mean_seconds"}."""
    from distributed import as_completed
    from tqdm import tqdm
    from grader_tests.framework.pipeline.intake import intake_all
    root = pathlib.Path(root)
    start = time.perf_counter()
    intake = intake_all(root, assignment)
    todo, prints = to_grade(root, assignment, students, force)
    summary = {"graded": [], "skipped": [s for s in students if s not in todo], "failed": {},
               "flagged": {}, "seconds": {}, "stopped": None}
    if todo and scheduler is None:   # the local cluster grades in this machine's sandbox: check it first
        from grader_tests.framework.pipeline import sandbox
        try:
            sandbox.require_working_sandbox(root)
        except (sandbox.GradingEnvironmentBroken, sandbox.SandboxUnavailable) as err:
            summary["stopped"], todo = str(err), []
    if todo:
        run_id = f"{os.getpid()}-{time.time_ns()}"
        with (contextlib.nullcontext(client) if client is not None
              else Cluster(root, scheduler, workers)) as client:
            futures = [client.submit(grade_submission, str(root), assignment, s, db_url, run_id,
                                     key=f"autograde-{assignment}-{s}-{run_id}", pure=False,
                                     retries=1, resources={"GPU": 1} if gpu else None)
                       for s in todo]
            if on_submitted:
                on_submitted(client, futures)
            bar = tqdm(total=len(futures), desc=f"autograde {assignment}", unit="submission",
                       file=sys.stderr, disable=not progress, dynamic_ncols=True)
            done = {}
            for future in as_completed(futures):
                student = todo[futures.index(future)]
                try:
                    result = future.result()
                except Exception as err:   # KilledWorker after repeated worker deaths, ...
                    result = {"student": student, "success": False,
                              "error": f"{type(err).__name__}: {err}"[:300], "seconds": None}
                if result["success"]:
                    summary["graded"].append(student)
                    summary["seconds"][student] = result["seconds"]
                    done[student] = prints[student]
                    flags = [f"hit the {h} limit" for h in result.get("limits_hit", [])]
                    if result.get("kernel") == "died":
                        flags.append("its kernel died")
                    flags += [f"intake: {v['outcome']}" for v in intake.get(student, {}).values()
                              if v["outcome"] != "ok"]
                    if flags:
                        summary["flagged"][student] = "; ".join(flags)
                else:
                    summary["failed"][student] = result["error"] or "autograde failed"
                    if _environment_broken(result["error"]):   # every other task would fail alike
                        summary["stopped"] = result["error"]
                        client.cancel([f for f in futures if not f.done()])
                        break
                bar.update()
            bar.close()
        _save_state(root, assignment, done)
    summary["wall_seconds"] = time.perf_counter() - start
    times = list(summary["seconds"].values())
    summary["mean_seconds"] = sum(times) / len(times) if times else 0.0
    return summary


def _environment_broken(error):
    """Whether a task failed because no student code can run on its worker (the sandbox
    preflight's verdict, or a sandbox tool missing), not because of its submission."""
    from grader_tests.framework.pipeline import sandbox
    return any(mark in (error or "") for mark in (sandbox.BROKEN_MARK, "SandboxUnavailable",
                                                   "GradingEnvironmentBroken"))


def print_summary(assignment, summary, file=sys.stdout):
    if summary.get("stopped"):
        print(f"AUTOGRADE STOPPED before grading anyone else: {summary['stopped']}", file=file)
    for student, reason in sorted(summary["failed"].items()):
        print(f"  FAILED  {student}: {reason}", file=file)
    for student, reason in sorted(summary["flagged"].items()):
        print(f"  flagged {student}: {reason}", file=file)
    print(f"{assignment}: {len(summary['graded'])} graded, {len(summary['failed'])} failed, "
          f"{len(summary['skipped'])} unchanged (not regraded) in {summary['wall_seconds']:.1f} s; "
          f"{summary['mean_seconds']:.1f} s per submission in a worker", file=file)
