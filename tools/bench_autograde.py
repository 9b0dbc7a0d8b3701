"""Autograde throughput against stock nbgrader. Figures, not a test.

    python tools/bench_autograde.py [--copies 24] [--assignment recurrent_cells]

N submissions (copies of the assignment's example submissions, cycled) graded side by side, on
throwaway course folders:
  (a) stock `nbgrader autograde` with a stock configuration (course id and gradebook only), one
      process, the same hidden tests run in the student's kernel (course root on PYTHONPATH);
  (b) this pipeline (`tools/course.py autograde`: Dask, sandbox, cgroups, trusted judging) on one
      worker;
  (c) this pipeline on the local Dask cluster (one worker per core);
  floor: the submitted notebooks executed one after another under nbclient, nothing else (each
      beside the files the release ships, as autograde runs them).
Prints wall time and time per submission of each, the ratios, and the mean per-phase breakdown
of one submission in (b) from the run records (reports/<a>/runs/). Run it on an idle machine.
The last line reads `speedup (c)/(a) = X.XX, overhead (b)/floor = Y.YY`.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import course as course_tool  # noqa: E402
import make_example_submissions as examples  # noqa: E402
from grader_tests.framework.pipeline import submission_builder as sb  # noqa: E402
from grader_tests.framework.contract import table  # noqa: E402

NBGRADER = str(pathlib.Path(sys.executable).parent / "nbgrader")
# nbgrader runs `alembic`, and the pipeline runs `nbgrader`, by name: the virtualenv's tools first
os.environ["PATH"] = str(pathlib.Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
STOCK_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "bench-stock"
c.CourseDirectory.db_url = "sqlite:///{root}/gradebook.db"
"""
PHASES = ("setup", "kernel_start", "cells", "kernel_stop", "probes_wait")
# beside the kernel: the probe run (start, units) and the judging, in a thread of the worker


def submit(course, assignment, copies):
    release = course / "release" / assignment
    names = []
    example = list(examples.students(assignment).items())
    for k in range(copies):
        student, answers = example[k % len(example)]
        name = f"s{k:03d}_{student}"
        sb.write_submission(release, answers, course / "submitted" / name / assignment,
                            sb.example_files(assignment, student))
        names.append(name)
    return names


def run(cmd, course, env=None):
    environment = {**os.environ, **(env or {})}
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=course, env=environment, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
    return time.perf_counter() - start


def floor(course, assignment, students):
    """The submitted notebooks executed one after another by nbclient (the short schedule), each
    in a folder as the student has it: the submission beside the files the release ships (a
    helper module, a figure), as autograde also provides them. Returns (seconds, {error name:
    count} of the error outputs, which only the partial submissions' own bugs should raise)."""
    import collections
    import shutil

    import nbformat
    from nbclient import NotebookClient
    notebooks = table.load(assignment).notebook_files
    release = course / "release" / assignment
    folders = {}
    for student in students:
        folder = course / "floor" / student / assignment
        shutil.copytree(course / "submitted" / student / assignment, folder)
        for path in release.rglob("*"):
            target = folder / path.relative_to(release)
            if path.is_file() and path.name not in notebooks and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
        folders[student] = folder
    env_before = dict(os.environ)
    os.environ.update({"COURSE_SHORT_SCHEDULE": "1", "COURSE_DATA_DIR": str(ROOT / "data")})
    errors = collections.Counter()
    start = time.perf_counter()
    try:
        for student in students:
            for name in notebooks:
                nb = nbformat.read(str(folders[student] / name), as_version=4)
                # the kernel is killed once the cells ran, as the pipeline does (a graceful
                # shutdown would add 0.3-1.6 s that is no part of the notebook's own run)
                NotebookClient(nb, timeout=600, allow_errors=True, kernel_name="python3",
                               shutdown_kernel="immediate",
                               resources={"metadata": {"path": str(folders[student])}}).execute()
                errors.update(o.get("ename") for c in nb.cells for o in c.get("outputs", [])
                              if o.get("output_type") == "error")
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    return time.perf_counter() - start, errors


def breakdown(course, assignment, seconds):
    records = [json.loads(p.read_text()) for p in (course / "reports" / assignment / "runs").glob("*/*.json")]
    if not records:
        return
    mean = {k: sum(r.get("timing", {}).get(k, 0) for r in records) / len(records)
            for k in PHASES + ("probe_start", "probes", "judging")}
    per_sub = sum(seconds.values()) / len(seconds)
    notebooks = len(records) / len(seconds)
    nbgrader_rest = per_sub - notebooks * sum(mean[k] for k in PHASES)
    print(f"\none submission in (b), mean seconds ({notebooks:g} notebook(s) each):")
    print(f"  nbgrader (start of the submission, copies, gradebook writes): {nbgrader_rest:6.2f}")
    labels = {"setup": "cgroup + probe sandbox launch", "kernel_start": "sandboxed kernel start",
              "cells": "notebook cells", "kernel_stop": "kernel shutdown", "probes_wait": "waiting for probes and judging after the kernel"}
    for k in PHASES:
        print(f"  {labels[k]:62s} {mean[k]:6.2f}")
    print(f"  (beside the kernel) probe runner start: interpreter, imports, warm-up {mean['probe_start']:6.2f}")
    print(f"  (beside the kernel) probes of all units                              {mean['probes']:6.2f}")
    print(f"  (beside the kernel) judging against the reference                    {mean['judging']:6.2f}")
    print(f"  worker total                                                          {per_sub:6.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=24)
    parser.add_argument("--assignment", default="recurrent_cells")
    parser.add_argument("--skip-stock", action="store_true",
                        help="leave out (a) (while tuning the pipeline; no (c)/(a) ratio)")
    args = parser.parse_args(argv)
    a, n = args.assignment, args.copies
    cores = os.cpu_count() or 1
    print(f"{n} submissions of {a}; {cores} cores")
    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        base = pathlib.Path(tmp)
        stock = sb.throwaway_course(base, a, ROOT, stock_config=STOCK_CONFIG)
        ours = sb.throwaway_course(base, a, ROOT)
        run([NBGRADER, "generate_assignment", a, "--force"], stock)
        run([NBGRADER, "generate_assignment", a, "--force"], ours)
        stock_students = submit(stock, a, n)
        students = submit(ours, a, n)
        t_floor, floor_errors = floor(ours, a, students)
        print(f"floor (nbclient, one after another): {t_floor:.1f} s; error outputs "
              f"{dict(floor_errors)}", flush=True)
        t_a = float("nan") if args.skip_stock else run(
            [NBGRADER, "autograde", a, "--create", "--force"], stock,
            env={"PYTHONPATH": str(ROOT), "COURSE_SHORT_SCHEDULE": "1", "COURSE_DATA_DIR": str(ROOT / "data")})
        print(f"(a) stock nbgrader, one process: {t_a:.1f} s", flush=True)
        from grader_tests.framework.pipeline import scheduling
        start = time.perf_counter()
        summary_b = scheduling.autograde(ours, a, students, workers=1, force=True, progress=False)
        t_b = time.perf_counter() - start
        print(f"(b) this pipeline, one worker: {t_b:.1f} s ({len(summary_b['failed'])} failed)", flush=True)
        breakdown(ours, a, summary_b["seconds"])
        scores_b = course_tool.score_table(a, root=ours)[0]
        start = time.perf_counter()
        summary_c = scheduling.autograde(ours, a, students, workers=cores, force=True, progress=False)
        t_c = time.perf_counter() - start
        print(f"(c) this pipeline, local Dask cluster ({cores} workers): {t_c:.1f} s "
              f"({len(summary_c['failed'])} failed)", flush=True)
        same = course_tool.score_table(a, root=ours)[0] == scores_b
        stock_scores = ({} if args.skip_stock else
                        course_tool.score_table(a, root=stock, db_url=f"sqlite:///{stock}/gradebook.db")[0])
        agree = all(s in stock_scores for s in stock_students)
    print(f"\n{'':44s} {'wall s':>8s} {'s/submission':>13s}")
    for label, t in (("floor: notebooks under nbclient", t_floor), ("(a) stock nbgrader, 1 process", t_a),
                     ("(b) this pipeline, 1 worker", t_b), (f"(c) this pipeline, {cores} workers", t_c)):
        print(f"{label:44s} {t:8.1f} {t / n:13.2f}")
    print(f"(b) and (c) scores identical: {same}; stock graded every copy: {agree}")
    print(f"speedup (c)/(a) = {t_a / t_c:.2f}, overhead (b)/floor = {t_b / t_floor:.2f}")


if __name__ == "__main__":
    sys.exit(main())
