"""The per-submission cgroup (grader_tests/framework/pipeline/limits.py), below nbgrader.

On this machine (cgroup v1, root) the real kernel enforces the caps: a process over the memory
cap is killed, forks over the process cap are refused, whatever is left in a group is killed
when it closes, and groups left by a dead grading process are reaped. The v2 code path cannot
run here (v1 holds the controllers), so it is checked against a fake cgroup folder: the files it
writes and the figures it reads. tests/test_hostile.py runs hostile submissions through nbgrader.
"""
import os
import subprocess
import sys
import time

import pytest

from grader_tests.framework.pipeline import limits

MODE, WHERE = limits.detect()
needs_cgroups = pytest.mark.skipif(MODE is None, reason=f"no usable cgroup here: {WHERE}")


def small(**caps):
    values = {"memory_bytes": 256 * 2**20, "pids": 64, "cpus": 0.0}
    values.update(caps)
    return limits.SubmissionLimits(**values)


def run_in(group, code, timeout=60):
    return subprocess.run(group.join_prefix() + [sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=timeout)


@needs_cgroups
def test_memory_over_the_cap_is_killed_and_recorded():
    group = limits.SubmissionCgroup.create("test-memory", small())
    try:
        proc = run_in(group, "x = b'1' * (600 * 2**20)\nprint('survived')")
        assert proc.returncode == -9 and "survived" not in proc.stdout
        assert "memory" in group.limits_hit()
    finally:
        usage = group.close()
    assert usage["memory_peak_bytes"] <= 256 * 2**20 and "memory" in usage["limits_hit"]


@needs_cgroups
def test_processes_over_the_cap_are_refused_and_killed_on_close():
    group = limits.SubmissionCgroup.create("test-pids", small(pids=20))
    code = ("import subprocess\nn = 0\ntry:\n    for _ in range(60):\n"
            "        subprocess.Popen(['sleep', '57.25'], start_new_session=True, stdout=subprocess.DEVNULL,\n"
            "                         stderr=subprocess.DEVNULL); n += 1\n"
            "except OSError:\n    pass\nprint(n)")
    proc = run_in(group, code)
    started = int(proc.stdout.strip())
    assert 0 < started < 20
    assert len(group.pids_inside()) == started     # the sleeps outlived the process that started them
    usage = group.close()
    assert usage["limits_hit"] == ["pids"] and usage["leftover_processes"] == started
    time.sleep(0.1)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert "sleep 57.25" not in ps, "processes outlived their group"
    assert all(not d.exists() for d in group.dirs.values())


@needs_cgroups
def test_the_kernels_processes_leave_the_probes_their_reserve():
    """A kernel that holds every process it can get (as a fork bomb does) leaves the probe runner
    of the same notebook its reserve: the probe runner can still fork its per-unit children."""
    group = limits.SubmissionCgroup.create("test-reserve", small(pids=40))
    hold = ("import subprocess, sys\nn = 0\ntry:\n    for _ in range(60):\n"
            "        subprocess.Popen(['sleep', '57.75'], start_new_session=True,\n"
            "                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); n += 1\n"
            "except OSError:\n    pass\nprint(n)")
    try:
        held = int(run_in(group, hold).stdout.strip())
        assert held == 40 - limits.probe_pids_reserve(40) - 1, held   # the cap less the reserve, less the shell
        probe = subprocess.run([sys.executable, "-c", "import os\npid = os.fork()\n"
                                "if pid == 0:\n    os._exit(0)\nos.waitpid(pid, 0)\nprint('forked')"],
                               preexec_fn=group.join, capture_output=True, text=True, timeout=60)
        assert probe.stdout.strip() == "forked", probe.stderr
    finally:
        usage = group.close()
    assert usage["limits_hit"] == ["pids"] and usage["leftover_processes"] == held


@needs_cgroups
def test_cpu_cap_holds_for_all_processes_together():
    group = limits.SubmissionCgroup.create("test-cpu", small(cpus=0.5))
    try:
        start = time.monotonic()
        run_in(group, "import os, time\nfor _ in range(2):\n    if os.fork() == 0:\n"
                      "        end = time.time() + 2\n        while time.time() < end: pass\n"
                      "        os._exit(0)\nos.wait(); os.wait()")
        wall = time.monotonic() - start
    finally:
        usage = group.close()
    # two busy processes for 2 s would take ~4 CPU s (2 cores): the cap allows 0.5 core
    assert usage["cpu_seconds"] <= 0.5 * wall + 0.3, (usage, wall)


@needs_cgroups
def test_groups_of_a_dead_grading_process_are_reaped():
    base = next(iter(WHERE.values()))
    dead = 2**22 + 12345          # above pid_max's default: no such process
    orphans = {c: b / f"student.nb-{dead}-1" for c, b in WHERE.items()}
    for path in orphans.values():
        path.mkdir()
    limits.SubmissionCgroup.create("test-reap", small()).close()
    assert not any(p.exists() for p in orphans.values()), base


def test_degraded_mode_without_cgroups_is_explicit():
    group = limits.SubmissionCgroup.create("x", detected=(None, "no cgroup here"))
    assert group.mode == "rlimits" and not group.capped and group.join_prefix() == []
    assert group.reason == "no cgroup here" and group.close()["limits_hit"] == []


def test_cgroup_v2_writes_the_caps_and_reads_the_figures(tmp_path):
    """The v2 path on a fake group folder: what it writes, what it reads back."""
    group = limits.SubmissionCgroup.create("s.nb", small(cpus=1.5), detected=("v2", {"": tmp_path}))
    (folder,) = group.dirs.values()
    assert (folder / "memory.max").read_text() == str(256 * 2**20)
    assert (folder / "pids.max").read_text() == "64"
    assert (folder / "cgroup.subtree_control").read_text() == "+pids"
    assert (folder / "kernel" / "pids.max").read_text() == str(64 - limits.probe_pids_reserve(64))
    assert (folder / "cpu.max").read_text() == "150000 100000"
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n")
    (folder / "memory.peak").write_text(str(256 * 2**20))
    (folder / "pids.events").write_text("max 3\n")
    (folder / "kernel" / "pids.events").write_text("max 2\n")
    (folder / "cpu.stat").write_text("usage_usec 2500000\nnr_throttled 4\n")
    (folder / "cgroup.procs").write_text("")
    usage = group.usage()
    assert usage["cpu_seconds"] == 2.5 and usage["oom_kills"] == 1 and usage["pids_refused"] == 5
    assert group.limits_hit(usage) == ["memory", "pids"]
    # v2 processes live in leaves only: the kernel's and the probe runner's
    assert group.procs_files("kernel") == [str(folder / "kernel" / "cgroup.procs")]
    assert group.procs_files("probes") == [str(folder / "probes" / "cgroup.procs")]


def test_cgroup_v2_preparation_moves_the_grader_into_a_leaf(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (tmp_path / "cgroup.subtree_control").write_text("")
    (tmp_path / "cgroup.procs").write_text(f"{os.getpid()}\n")
    base = limits._prepare_v2(tmp_path)
    assert base == tmp_path / limits.GROUP_FOLDER
    assert (tmp_path / "grader" / "cgroup.procs").read_text() == str(os.getpid())
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+cpu +memory +pids"


def test_mountinfo_parsing_finds_v1_and_v2(tmp_path):
    info = tmp_path / "mountinfo"
    info.write_text("35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                    "40 31 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
                    "23 1 0:20 / /proc rw - proc proc rw\n")
    assert limits._mounts(str(info)) == [("/sys/fs/cgroup/memory", "cgroup", ["rw", "memory"]),
                                         ("/sys/fs/cgroup/unified", "cgroup2", ["rw", "nsdelegate"])]
    cg = tmp_path / "cgroup"
    cg.write_text("4:memory:/process_api/abc\n1:cpu,cpuacct:/\n0::/user.slice\n")
    assert limits._own_paths(str(cg)) == {"memory": "/process_api/abc", "cpu": "/", "cpuacct": "/",
                                          "": "/user.slice"}
