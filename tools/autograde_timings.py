"""Wall time of autograding one full submission, per notebook, and the hidden tests' share.

    python tools/autograde_timings.py [ASSIGNMENT ...]     # default: every assignment

For each assignment: a throwaway course (the course's config, source and packages linked in,
its own gradebook), the release, the instructor's solutions submitted as one student, then
`nbgrader autograde` for that student alone, timed. Printed per notebook: the kernel's time
(every cell, from nbclient's cell metadata) and the trusted grading's time (the sandboxed probes
of the notebook's units and the judge: the hidden tests, which run outside the kernel), measured
separately on the same answers; and the whole `nbgrader autograde` call. Run it on an otherwise
idle machine (timings taken under load lie).
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from grader_tests.framework.pipeline import submission_builder as sb  # noqa: E402
from grader_tests.framework.contract import table
from grader_tests.framework.pipeline import grading as trusted  # noqa: E402
from cell_timings import seconds as cell_seconds  # noqa: E402  (tools/, beside this script)


def _kernel_seconds(notebook):
    return sum(cell_seconds(cell.get("metadata", {})) for cell in json.loads(notebook.read_text())["cells"])


def _nbgrader(course, *args):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    bin_dir = str(pathlib.Path(sys.executable).parent)     # nbgrader runs alembic by name
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    proc = subprocess.run([os.path.join(bin_dir, "nbgrader"), *args], cwd=course, env=env,
                          capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")


def measure(assignment, work):
    course = work / assignment
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment)
    for name in ("grader_tests", "reference", "handouts", "data", "tools"):
        (course / name).symlink_to(ROOT / name)
    _nbgrader(course, "generate_assignment", assignment, "--force")
    answers = sb.assignment_solutions(ROOT, assignment)
    sb.write_submission(course / "release" / assignment, answers, course / "submitted" / "solution" / assignment,
                        sb.example_files(assignment, "solution"))
    start = time.perf_counter()
    _nbgrader(course, "autograde", assignment, "--student", "solution", "--force")
    whole = time.perf_counter() - start
    t = table.load(assignment)
    print(f"{assignment}: nbgrader autograde of one full submission: {whole:.1f} s")
    for name in t.notebook_files:
        kernel = _kernel_seconds(course / "autograded" / "solution" / assignment / name)
        units = [u for u in t.autograded_units if t.notebook_of(u) == name]
        notebook_answers = {u.id: answers[u.id] for u in units}
        tests = {u.test_id(x): ("### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n" if x.aspect and x.hidden else "pass\n")
                 for u in units for x in u.tests}
        start = time.perf_counter()
        pending = trusted.start_grading(assignment, notebook_answers, tests, devices=["cpu"],
                                        submission_dir=course / "submitted" / "solution" / assignment)
        outcomes, _ = trusted.finish_grading(pending)
        hidden = time.perf_counter() - start
        passed = sum(o.passed for o in outcomes.values())
        for test_id, outcome in outcomes.items():
            if not outcome.passed:
                print(f"    {test_id}: {outcome.message}")
        print(f"  {name}: kernel {kernel:.1f} s; trusted grading (hidden tests) {hidden:.1f} s "
              f"({hidden / max(kernel + hidden, 1e-9):.0%} of the two), {passed}/{len(outcomes)} test cells passed")


def main(argv):
    with tempfile.TemporaryDirectory(prefix="autograde-timings-") as work:
        for assignment in argv or table.assignments(ROOT):
            measure(assignment, pathlib.Path(work))


if __name__ == "__main__":
    main(sys.argv[1:])
