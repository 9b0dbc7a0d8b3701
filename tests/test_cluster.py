"""Autograde on Dask: incremental re-runs on the local cluster, and a multi-process
cluster on loopback (`dask scheduler` + two `dask worker` processes) grading into a real
PostgreSQL server this test starts, with one worker killed mid-run.

Asserted: the PostgreSQL grades equal the SQLite grades submission by submission and unit by
unit; the killed worker's submission is graded all the same; a re-run grades nothing, a re-run
after one submission changed grades exactly that one, `force` grades all.
"""
import glob
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import pytest

from conftest import ROOT, course_with_release, free_port
from grader_tests.recurrent_cells import adversarial as adv

sys.path.insert(0, str(ROOT / "tools"))
import course as course_tool  # noqa: E402

A = adv.ASSIGNMENT
STUDENTS = {                      # student: answers replacing the solution's
    "alice": {},
    "bob": {"lstm_cell": adv.wrong("lstm_cell", "wrong_gate_order_if")},
    "carol": {"gru_cell": adv.wrong("gru_cell", "wrong_z_swapped"),
              "bidir_model": adv.wrong("bidir_model", "wrong_flip_batch_dim")},
    "dave": {"rnn_model": adv.wrong("rnn_model", "wrong_all_layers_input_size")},
}


def pg_tool(name):
    """A PostgreSQL program: on PATH, or where Debian's postgresql package puts it."""
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1:]
    return found if isinstance(found, str) else (found[0] if found else None)


def build_course(folder, env=None):
    course, release, solutions = course_with_release(folder, A, env=env)
    for student, answers in STUDENTS.items():
        adv.build(adv.Case(student, answers), release, solutions, course / "submitted" / student / A)
    return course


@pytest.fixture(scope="module")
def sqlite_run(tmp_path_factory):
    course = build_course(tmp_path_factory.mktemp("cluster-sqlite"))
    assert course_tool.autograde(A, jobs=2, root=course) == 0
    return course, course_tool.score_table(A, root=course)[0]


def test_rerun_grades_only_what_changed(sqlite_run, capsys):
    course, first = sqlite_run
    from grader_tests.framework.pipeline import scheduling
    students = sorted(STUDENTS)
    summary = scheduling.autograde(course, A, students, workers=2, progress=False)
    assert summary["graded"] == [] and sorted(summary["skipped"]) == students
    notebook = course / "submitted" / "dave" / A / adv.NOTEBOOK
    notebook.write_text(notebook.read_text().replace("A_model", "A_model ", 1))
    start = time.perf_counter()
    summary = scheduling.autograde(course, A, students, workers=2, progress=False)
    print(f"\nre-run after one changed submission: {summary['graded']} in {time.perf_counter() - start:.1f} s")
    assert summary["graded"] == ["dave"] and sorted(summary["skipped"]) == [s for s in students if s != "dave"]
    summary = scheduling.autograde(course, A, students, workers=2, progress=False, force=True)
    assert sorted(summary["graded"]) == students
    assert course_tool.score_table(A, root=course)[0] == first


class Postgres:
    """A throwaway PostgreSQL server (Debian's initdb/pg_ctl) on a loopback port."""

    def __init__(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="course-pg-"))
        self.dir.chmod(0o755)
        self.port = free_port()

    def _as_postgres(self, *args):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(prefix + [pg_tool(args[0])] + list(args[1:]), check=True, capture_output=True,
                       timeout=120)

    def start(self):
        data, sockets = self.dir / "data", self.dir / "sockets"
        for folder in (data, sockets):
            folder.mkdir()
            if os.geteuid() == 0:
                shutil.chown(folder, "postgres", "postgres")
        self._as_postgres("initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
        self._as_postgres("pg_ctl", "-D", str(data), "-w", "-l", str(data / "log"), "-o",
                          f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1", "start")
        self._as_postgres("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "gradebook")
        return f"postgresql://postgres@127.0.0.1:{self.port}/gradebook"

    def stop(self):
        with_data = self.dir / "data"
        try:
            self._as_postgres("pg_ctl", "-D", str(with_data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def _postgres_available():
    return all(pg_tool(n) for n in ("initdb", "pg_ctl", "createdb")) and (
        os.geteuid() != 0 or shutil.which("runuser"))


@pytest.mark.skipif(not _postgres_available(), reason="PostgreSQL's initdb/pg_ctl not installed (make venv installs them)")
def test_postgres_and_a_killed_worker_give_the_sqlite_grades(sqlite_run, tmp_path):
    _, expected = sqlite_run
    server = Postgres()
    url = server.start()
    procs, killed = [], []
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"COURSE_DB_URL": url, "PYTHONPATH": str(ROOT), "COURSE_SUBMISSION_CPUS": "1"})
    bin_dir = pathlib.Path(sys.executable).parent
    try:
        course = build_course(tmp_path / "pg", env={"COURSE_DB_URL": url})
        port = free_port()
        procs.append(subprocess.Popen([str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1",
                                       "--port", str(port), "--dashboard-address", ":0"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        address = f"tcp://127.0.0.1:{port}"
        for _ in range(2):
            procs.append(subprocess.Popen([str(bin_dir / "dask"), "worker", address, "--nthreads", "1",
                                           "--no-dashboard", "--no-nanny"], env=env, cwd=course,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

        def kill_one_mid_task(client, futures):
            def watch():
                deadline = time.time() + 120
                while time.time() < deadline and not killed:
                    busy = {w: keys for w, keys in client.processing().items() if keys}
                    if busy:
                        time.sleep(4)             # well into its grading
                        worker = sorted(busy)[0]
                        pid = client.run(os.getpid, workers=[worker])[worker]
                        os.kill(pid, signal.SIGKILL)
                        killed.append(worker)
                    time.sleep(0.2)
            threading.Thread(target=watch, daemon=True).start()

        client_env = {"COURSE_DB_URL": url}
        old = {k: os.environ.get(k) for k in client_env}
        os.environ.update(client_env)
        try:
            from distributed import Client
            with Client(address, timeout=60) as c:
                c.wait_for_workers(2, timeout=120)
            status = course_tool.autograde(A, root=course, scheduler=address, on_submitted=kill_one_mid_task)
            got = course_tool.score_table(A, root=course, db_url=url)[0]
        finally:
            for k, v in old.items():
                os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
        assert killed, "no worker was killed mid-run: the test did not test anything"
        assert status == 0
        assert got == expected, "PostgreSQL grades differ from the SQLite run"
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        server.stop()
