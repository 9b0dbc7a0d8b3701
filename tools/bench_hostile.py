"""What hostile submissions get with and without the per-submission limits.

    python tools/bench_hostile.py [--innocents 3]

Builds a throwaway course with `recurrent_cells`, then grades with the project's parallel
autograde (tools/course.py, one process per core):
  1. the innocent students alone, limits off and on (the cgroup set-up's cost per submission);
  2. the innocents beside one student per hostile case (grader_tests/recurrent_cells/hostile.py),
     limits on, then off (COURSE_SUBMISSION_LIMITS=off: the groups only measure).
Prints per case what the hostile code achieved (its own report from the autograded notebook,
and its cgroup's figures: peak memory, processes refused, CPU seconds over wall seconds), the
innocents' scores and mean grading time in each run, the machine's peak used memory, and the
time to create and remove one cgroup. Figures, not a test: tests/test_hostile.py asserts.
"""
import argparse
import json
import os
import pathlib
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# nbgrader runs `alembic`, and the pipeline runs `nbgrader`, by name: the virtualenv's tools first
os.environ["PATH"] = str(pathlib.Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
sys.path.insert(0, str(ROOT / "tools"))

import course as course_tool  # noqa: E402
from grader_tests.framework.pipeline import limits  # noqa: E402
from grader_tests.framework.pipeline import submission_builder as sb  # noqa: E402
from grader_tests.recurrent_cells import adversarial as adv  # noqa: E402
from grader_tests.recurrent_cells import hostile  # noqa: E402


class MemoryPeak(threading.Thread):
    """The machine's peak used memory (MemTotal - MemAvailable) while it runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.running = 0, True

    @staticmethod
    def used():
        info = dict(line.split(":", 1) for line in open("/proc/meminfo"))
        return (int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])) * 1024

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.used())
            time.sleep(0.2)


def grade(course, label, off):
    os.environ.pop("COURSE_SUBMISSION_LIMITS", None)
    if off:
        os.environ["COURSE_SUBMISSION_LIMITS"] = "off"
    monitor = MemoryPeak()
    idle = monitor.used()
    monitor.start()
    start = time.perf_counter()
    status = course_tool.autograde(adv.ASSIGNMENT, jobs=os.cpu_count() or 1, root=course, force=True,
                                   progress=False)
    wall = time.perf_counter() - start
    monitor.running = False
    monitor.join()
    os.environ.pop("COURSE_SUBMISSION_LIMITS", None)
    table, _ = course_tool.score_table(adv.ASSIGNMENT, root=course)
    runs = course / "reports" / adv.ASSIGNMENT / "runs"
    records = {p.name: json.loads((p / f"{adv.ASSIGNMENT}.json").read_text()) for p in runs.iterdir()}
    found = {}
    for student in records:
        notebook = course / "autograded" / student / adv.ASSIGNMENT / adv.NOTEBOOK
        found[student] = hostile.achievements(notebook).get(student, {}) if notebook.exists() else {}
    print(f"[{label}] status {status}, {wall:.1f} s, machine used memory peak "
          f"{(monitor.peak - idle) / 2**30:.2f} GiB above idle", flush=True)
    return {"table": table, "records": records, "found": found, "wall": wall,
            "memory_peak": monitor.peak - idle}


def points(table, student):
    row = table.get(student, {})
    got = sum(row[u][0] or 0 for u in row if u in adv.CODE_UNITS + ("model_identification",))
    top = sum(row[u][1] for u in row if u in adv.CODE_UNITS + ("model_identification",))
    return f"{got:g}/{top:g}"


def cgroup_cost(n=20):
    start = time.perf_counter()
    for k in range(n):
        limits.SubmissionCgroup.create(f"bench{k}").close()
    return (time.perf_counter() - start) / n


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--innocents", type=int, default=3)
    args = parser.parse_args(argv)
    mode, where = limits.detect()
    print(f"cgroup mode: {mode or 'unavailable'} ({'' if mode else where})")
    innocents = [f"innocent_{k}" for k in range(args.innocents)]
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        course = sb.throwaway_course(pathlib.Path(tmp), adv.ASSIGNMENT, ROOT)
        import subprocess
        subprocess.run(["nbgrader", "generate_assignment", adv.ASSIGNMENT, "--force"], cwd=course,
                       check=True, capture_output=True)
        release = course / "release" / adv.ASSIGNMENT / adv.NOTEBOOK
        solutions = sb.solutions(course / "source" / adv.ASSIGNMENT / adv.NOTEBOOK)
        for student in innocents:
            adv.build(adv.Case(student), release, solutions, course / "submitted" / student / adv.ASSIGNMENT)
        alone_off = grade(course, "innocents alone, limits off", off=True)
        alone_on = grade(course, "innocents alone, limits on", off=False)
        for case in hostile.CASES:
            hostile.build(case, release, solutions, course / "submitted" / case.name / adv.ASSIGNMENT)
        beside_on = grade(course, "with hostile cases, limits on", off=False)
        beside_off = grade(course, "with hostile cases, limits off", off=True)

    def mean_wall(run):
        return sum(run["records"][s]["wall_seconds"] for s in innocents) / len(innocents)

    print("\nper hostile case: what its code reported | its cgroup: peak memory, processes refused, "
          "CPU s / wall s | points")
    for case in hostile.CASES:
        for label, run in (("limits on ", beside_on), ("limits off", beside_off)):
            r = run["records"][case.name]
            print(f"  {case.name:22s} {label}: {json.dumps(run['found'][case.name]):70s} | "
                  f"{r['memory_peak_bytes'] / 2**30:.2f} GiB, {r['pids_refused']} refused, "
                  f"{r['cpu_seconds']:.1f}/{r['wall_seconds']:.1f} | {points(run['table'], case.name)}"
                  f" | hit {r['limits_hit']} kernel {r['kernel']}")
    print("\ninnocent students (points; mean grading time per notebook):")
    for label, run in (("alone, limits off", alone_off), ("alone, limits on", alone_on),
                       ("beside hostile, limits on", beside_on), ("beside hostile, limits off", beside_off)):
        print(f"  {label:28s} {', '.join(points(run['table'], s) for s in innocents)}; "
              f"{mean_wall(run):.2f} s; whole run {run['wall']:.1f} s; machine memory peak "
              f"{run['memory_peak'] / 2**30:.2f} GiB")
    print(f"\nslowdown of innocents beside hostile cases: limits on {mean_wall(beside_on) / mean_wall(alone_on):.2f}x, "
          f"limits off {mean_wall(beside_off) / mean_wall(alone_off):.2f}x")
    print(f"cgroup create + close: {cgroup_cost() * 1000:.1f} ms per graded notebook; innocents' "
          f"grading time limits on / off (alone): {mean_wall(alone_on) / mean_wall(alone_off):.2f}")


if __name__ == "__main__":
    sys.exit(main())
