"""Submit-to-feedback latency under `tools/course.py serve`. Figures,
not a test.

    python tools/bench_serve.py [--students 20] [--window 60] [--assignment sparse_autoencoder]
                                [--interval 2] [--jobs N] [--seed 1]

A throwaway course with its own exchange (no check limit, the due date a week ahead) and `serve`
running as the instructor runs it (one process, its Dask cluster kept warm between cycles). One
warm-up student submits first (the cluster and the workers' probe servers start then; its
latency is printed apart). Then N students submit within the window, each at a random moment
(seeded), each one of the assignment's example submissions, through nbgrader's exchange
(ExchangeSubmit, as `nbgrader submit` does). A submission's latency runs from its submit to the
moment its feedback page is in the exchange's feedback folder, where `nbgrader fetch_feedback`
(or JupyterLab's Assignments tab) finds it. Prints each latency, then the median, the 95th
percentile and the maximum. Run it on an idle machine.
"""
import argparse
import os
import pathlib
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import datetime

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import make_example_submissions as examples  # noqa: E402
from grader_tests.framework.pipeline import inbox, submission_builder as sb  # noqa: E402

os.environ["PATH"] = str(pathlib.Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


def course_with_exchange(folder, assignment):
    """A throwaway course, its assignment generated and released to its own exchange."""
    course = sb.throwaway_course(folder, assignment, ROOT, frozen=True)
    exchange = pathlib.Path(folder) / "exchange"
    exchange.mkdir()
    due = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(days=7)
    (course / "term.toml").write_text(f"[checks]\nper_day = 0\n[assignments.{assignment}]\ndue = {due.isoformat()}\n")
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "COURSE_EXCHANGE": str(exchange)}
    for step in (["generate_assignment", assignment, "--force"], ["release_assignment", assignment, "--force"]):
        subprocess.run([str(pathlib.Path(sys.executable).parent / "nbgrader"), *step], cwd=course, env=env,
                       check=True, capture_output=True)
    return course, exchange, env


class Submissions:
    """Students submitting through the exchange, and when each one's feedback appeared."""

    def __init__(self, course, exchange, assignment, homes):
        os.environ["COURSE_EXCHANGE"] = str(exchange)
        self.exchange = inbox.course_exchange(course)
        self.assignment, self.homes = assignment, pathlib.Path(homes)
        self.examples = list(examples.students(assignment).items())
        self.submitted, self.released = {}, {}
        self.lock = threading.Lock()

    def submit(self, student, k):
        _, answers = self.examples[k % len(self.examples)]
        work = self.homes / student / self.assignment
        sb.write_submission(ROOT / "release" / self.assignment, answers, work)
        at = time.monotonic()
        name = inbox.submit(self.exchange, work, self.assignment, student)
        with self.lock:
            self.submitted[name] = at

    def poll(self):
        """Record the feedback pages that have appeared; True when every submission has one."""
        with self.lock:
            waiting = [n for n in self.submitted if n not in self.released]
        for received in inbox.scan(self.exchange, {self.assignment}):
            if received.name in waiting and all(p.exists() for p in inbox.released_feedback(
                    self.exchange, received).values()):
                self.released[received.name] = time.monotonic()
        return len(self.released) == len(self.submitted)

    def latency(self, name):
        return self.released[name] - self.submitted[name]


def wait_all(submissions, timeout):
    deadline = time.monotonic() + timeout
    while not submissions.poll():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out: {len(submissions.released)} of {len(submissions.submitted)} released")
        time.sleep(0.2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--window", type=float, default=60.0, help="seconds over which they submit")
    parser.add_argument("--assignment", default="sparse_autoencoder")
    parser.add_argument("--interval", type=float, default=2.0, help="serve's seconds between cycles")
    parser.add_argument("--jobs", type=int, default=None, help="serve's worker processes (default: cores)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        course, exchange, env = course_with_exchange(tmp, args.assignment)
        submissions = Submissions(course, exchange, args.assignment, pathlib.Path(tmp) / "homes")
        log = open(pathlib.Path(tmp) / "serve.log", "w")
        serve = subprocess.Popen([sys.executable, "tools/course.py", "serve", "--interval", str(args.interval)]
                                 + (["--jobs", str(args.jobs)] if args.jobs else []),
                                 cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            submissions.submit("warmup", 0)
            wait_all(submissions, 600)
            warmup = submissions.latency(next(iter(submissions.submitted)))
            print(f"warm-up submission (cluster and probe servers start): {warmup:.1f} s")
            rng = random.Random(args.seed)
            moments = sorted(rng.uniform(0, args.window) for _ in range(args.students))
            start = time.monotonic()
            print(f"first student submits at {time.strftime('%H:%M:%S', time.gmtime())} UTC")
            for k, moment in enumerate(moments):
                while time.monotonic() - start < moment:
                    submissions.poll()
                    time.sleep(0.05)
                submissions.submit(f"s{k:02d}", k + 1)
            wait_all(submissions, 900)
        finally:
            serve.send_signal(signal.SIGINT)
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                serve.kill()
            log.close()
        print("serve's log:\n  " + "\n  ".join(
            line for line in (pathlib.Path(tmp) / "serve.log").read_text().splitlines() if "serve:" in line))
        names = [n for n in submissions.submitted if not n.startswith("warmup+")]
        latencies = sorted(submissions.latency(n) for n in names)
        for name in sorted(names, key=lambda n: submissions.submitted[n]):
            print(f"  {name.split('+')[0]}: submitted at +{submissions.submitted[name] - start:5.1f} s, "
                  f"feedback after {submissions.latency(name):5.1f} s")
        p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
        cycles = sum(1 for line in (pathlib.Path(tmp) / "serve.log").read_text().splitlines()
                     if "feedback released" in line)
        print(f"{len(latencies)} students within {args.window:g} s, serve --interval {args.interval:g} "
              f"(--jobs {args.jobs or os.cpu_count()}), {cycles} cycles released feedback, "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        print(f"submit-to-feedback latency: median {statistics.median(latencies):.1f} s, "
              f"95th percentile {p95:.1f} s, max {latencies[-1]:.1f} s")


if __name__ == "__main__":
    main()
