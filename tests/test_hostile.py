"""Hostile submissions against the per-submission limits, through real nbgrader.

One course, graded twice with the project's parallel autograde (`tools/course.py autograde`,
two processes): first three innocent students alone (the baseline), then the same three beside
one student per hostile case (grader_tests/recurrent_cells/hostile.py). Asserted:
- every hostile case gets a clear recorded outcome: its run record names the cap it hit, what it
  achieved stays under the cap, its lost units lose points and the rest keep them;
- the innocent students keep full points and their grading is not slowed by more than
  `SLOWDOWN_FACTOR` against the baseline (their own run records' wall times);
- nothing outlives the grading: no hostile process, no cgroup, and no file the student's code
  wrote or submitted beyond the expected ones reaches autograded/ or feedback/.
The figures with and without limits: `python tools/bench_hostile.py`.
"""
import json
import subprocess
import sys

import pytest

from conftest import ROOT, course_with_release, nbgrader
from grader_tests.framework.pipeline import limits
from grader_tests.recurrent_cells import adversarial as adv
from grader_tests.recurrent_cells import hostile

sys.path.insert(0, str(ROOT / "tools"))
import course as course_tool  # noqa: E402

INNOCENT = ("innocent_a", "innocent_b", "innocent_c")
UNITS = adv.CODE_UNITS + ("model_identification",)
# Innocents graded beside the hostile cases on 2 cores: each graded notebook gets at most one
# core, so a neighbour's background loops cost nothing; what remains is memory bandwidth, page
# cache and the hostile runs' own start-up. Measured: see tools/bench_hostile.py.
SLOWDOWN_FACTOR = 2.0

pytestmark = pytest.mark.skipif(limits.detect()[0] is None,
                                reason=f"no usable cgroup here: {limits.detect()[1]}")


def run_records(course, students):
    base = course / "reports" / adv.ASSIGNMENT / "runs"
    return {s: json.loads((base / s / f"{adv.ASSIGNMENT}.json").read_text()) for s in students}


def leftover_processes():
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "sleep 41.5" in line or "course-hostile-busy" in line]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course, release, solutions = course_with_release(tmp_path_factory.mktemp("hostile"), adv.ASSIGNMENT)
    for student in INNOCENT:
        adv.build(adv.Case(student), release, solutions, course / "submitted" / student / adv.ASSIGNMENT)
    failures = course / "reports" / f"{adv.ASSIGNMENT}_autograde_failures.json"
    assert course_tool.autograde(adv.ASSIGNMENT, jobs=2, root=course) == 0, failures.read_text()
    baseline = run_records(course, INNOCENT)
    for case in hostile.CASES:
        hostile.build(case, release, solutions, course / "submitted" / case.name / adv.ASSIGNMENT)
    status = course_tool.autograde(adv.ASSIGNMENT, jobs=2, root=course, force=True)
    leftovers = leftover_processes()
    nbgrader(course, "generate_feedback", adv.ASSIGNMENT, "--force")
    table, _ = course_tool.score_table(adv.ASSIGNMENT, root=course)
    names = INNOCENT + tuple(c.name for c in hostile.CASES)
    return {"course": course, "status": status, "table": table, "baseline": baseline,
            "records": run_records(course, names), "leftovers": leftovers}


def test_innocent_students_keep_full_points_and_time(graded):
    assert graded["status"] == 0, "autograde did not finish cleanly for every submission"
    for student in INNOCENT:
        for unit in UNITS:
            got, top = graded["table"][student][unit]
            assert got == top > 0, f"{student} lost points on {unit} beside the hostile submissions"
    before = sum(graded["baseline"][s]["wall_seconds"] for s in INNOCENT) / len(INNOCENT)
    beside = sum(graded["records"][s]["wall_seconds"] for s in INNOCENT) / len(INNOCENT)
    print(f"\ninnocent grading time: {before:.1f} s alone, {beside:.1f} s beside the hostile cases "
          f"({beside / before:.2f}x)")
    assert beside <= SLOWDOWN_FACTOR * before, (
        f"innocent students took {beside:.1f} s each beside the hostile cases, {before:.1f} s alone")
    for student in INNOCENT:
        assert graded["records"][student]["limits_hit"] == []
        assert graded["records"][student]["mode"] in ("v1", "v2")


@pytest.mark.parametrize("case", hostile.CASES, ids=lambda c: c.name)
def test_hostile_case_is_contained_and_recorded(graded, case):
    record = graded["records"][case.name]
    assert record["mode"] in ("v1", "v2"), record
    if case.limit:
        assert case.limit in record["limits_hit"], record
    assert record["leftover_processes"] >= 0 and record["memory_peak_bytes"] <= 2 * 2**30
    scores = graded["table"][case.name]
    notebook = graded["course"] / "autograded" / case.name / adv.ASSIGNMENT / adv.NOTEBOOK
    got = hostile.achievements(notebook)
    caps = limits.SubmissionLimits()
    if case.name == "many_children":
        assert got["many_children"]["processes"] < caps.pids < hostile.CHILDREN, got
    elif case.name == "memory_many_processes":
        # the kernel itself may be the one the OOM killer picks: then no figures are printed
        held = got.get(case.name, {}).get("held_to_the_end", 0)
        assert held * hostile.MEMORY_EACH < caps.memory_bytes, got
    elif case.name == "tmp_filling":
        assert got[case.name]["bytes_written"] <= caps.tmp_bytes < hostile.TMP_BYTES, got
    elif case.name == "folder_filling":
        assert got[case.name]["bytes_written"] <= caps.folder_bytes < hostile.FOLDER_BYTES, got
    elif case.name == "busy_background":
        # its loops ran in its own cgroup, capped at one core: CPU it used <= its wall time
        assert record["cpu_seconds"] <= 1.15 * record["wall_seconds"] + 1, record
    for unit in UNITS:
        if case.name == "memory_many_processes":
            break        # a kernel stopped at the memory cap loses the units after it: recorded
        got_points, top = scores[unit]
        if unit in case.lost:
            assert got_points < top, f"{unit} kept {got_points}/{top}"
        else:
            assert got_points == top, f"{case.name}: {unit} lost points: {got_points}/{top}"


def test_nothing_outlives_the_grading(graded):
    assert graded["leftovers"] == [], graded["leftovers"]
    mode, where = limits.detect()
    left = [p.name for base in where.values() for p in base.iterdir()
            if p.is_dir() and p.name.split(".")[0] in INNOCENT + tuple(c.name for c in hostile.CASES)]
    assert left == [], f"cgroups left behind: {left}"


def test_only_expected_files_reach_autograded_and_feedback(graded):
    course = graded["course"]
    for step in ("autograded", "feedback"):
        folder = course / step / "folder_filling" / adv.ASSIGNMENT
        names = sorted(p.name for p in folder.rglob("*"))
        assert not [n for n in names if n.startswith("fill_") or n == "junk_results.bin"], (step, names)
    assert (course / "submitted" / "folder_filling" / adv.ASSIGNMENT / "junk_results.bin").exists()
    feedback = course / "feedback" / "folder_filling" / adv.ASSIGNMENT
    assert (feedback / f"{adv.ASSIGNMENT}.html").exists()
    assert (feedback / "speech_commands.py").exists(), "files the release ships stay in the feedback"
