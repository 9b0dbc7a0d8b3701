"""The example students of `make demo` submit through the nbgrader exchange, and their
submissions are collected into submitted/<student>/<assignment>/.

For every assignment (found from source/ and its unit table): the students of
`grader_tests/<assignment>/examples.py` (built from the instructor's solutions and the corpus),
or, for an assignment without one, `ada_full` (the solutions) and `blank` (the release as a
student downloads it). Each notebook of the assignment gets the answers its cells hold; files
a submission carries beside them (a checkpoint) come from the examples module's `files(student)`.

The way there is a real term's (README, "Running a term"): the assignment is released to the
course's exchange (term.toml's [exchange] root, `exchange/` here), each example student submits
it from a folder of their own (nbgrader's ExchangeSubmit, as `nbgrader submit` does) at a time set
from the assignment's due date in term.toml (`SUBMITTED_AT`: most a day early; ben_partial a few
hours late on every assignment, so the demo spends and then runs out of his free late days;
chloe_partial 30 h late on an assignment where term.toml gives her 48 h), and nbgrader's collect
takes the newest of each into submitted/. A submission this script made on an earlier run, same
student, assignment and time, is kept when it holds the same files (nothing to grade again) and
replaced otherwise, rather than piled up.
"""
import datetime
import glob
import importlib
import pathlib
import shutil
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from grader_tests.framework.pipeline import inbox, submission_builder as sb  # noqa: E402
from grader_tests.framework.pipeline import term as term_file  # noqa: E402
from grader_tests.framework.contract import table  # noqa: E402

H = datetime.timedelta(hours=1)
# When each example student submits, relative to the assignment's due date in term.toml.
SUBMITTED_AT = {"ben_partial": {"*": +5 * H}, "chloe_partial": {"convnets": +30 * H}}
ON_TIME = -24 * H


def students(assignment):
    solution = sb.assignment_solutions(ROOT, assignment)
    try:
        examples = importlib.import_module(f"{table.load(assignment).package_name}.examples")
    except ModuleNotFoundError:
        return {"ada_full": solution, "blank": {}}
    return examples.students(solution, lambda unit, name: (sb.corpus_dir(assignment, unit)
                                                           / f"{name}.py").read_text())


def submitted_at(term, assignment, student):
    """When the example student submits `assignment` (now when it has no due date)."""
    due = term.due.get(assignment)
    if due is None:
        return term_file.now()
    offsets = SUBMITTED_AT.get(student, {})
    return due + offsets.get(assignment, offsets.get("*", ON_TIME))


def same_files(work, submitted):
    """Whether every file of the student's folder `work` is in the submission, unchanged."""
    return all((submitted / p.relative_to(work)).is_file()
               and (submitted / p.relative_to(work)).read_bytes() == p.read_bytes()
               for p in work.rglob("*") if p.is_file())


def release(exchange, assignment):
    """The assignment's release folder into the exchange's outbound folder (nbgrader's
    release_assignment), unless the same files are there already."""
    from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
    outbound = pathlib.Path(exchange.root) / exchange.course_id / "outbound" / assignment
    source = ROOT / "release" / assignment
    if outbound.is_dir() and all((outbound / p.relative_to(source)).is_file()
                                 and (outbound / p.relative_to(source)).read_bytes() == p.read_bytes()
                                 for p in source.rglob("*") if p.is_file()):
        return
    coursedir = exchange.coursedir()
    coursedir.assignment_id = assignment
    releaser = ExchangeReleaseAssignment(coursedir=coursedir, authenticator=exchange.authenticator(),
                                         config=exchange.config)
    releaser.force = True
    releaser.start()


def collect(exchange, assignment):
    """nbgrader's collect: the newest submission of each student into submitted/."""
    from nbgrader.exchange.default.collect import ExchangeCollect
    coursedir = exchange.coursedir()
    coursedir.assignment_id = assignment
    collector = ExchangeCollect(coursedir=coursedir, authenticator=exchange.authenticator(),
                                config=exchange.config)
    collector.update = True
    collector.check_owner = False
    collector.start()


def main():
    exchange = inbox.course_exchange(ROOT)
    pathlib.Path(exchange.root).mkdir(parents=True, exist_ok=True)
    term = term_file.load(ROOT)
    with tempfile.TemporaryDirectory(prefix="example-students-") as homes:
        for assignment in table.assignments(ROOT):
            release(exchange, assignment)
            for student, answers in students(assignment).items():
                when = submitted_at(term, assignment, student)
                stamp = inbox.format_timestamp(when)
                work = pathlib.Path(homes) / student / assignment
                sb.write_submission(ROOT / "release" / assignment, answers, work,
                                    sb.example_files(assignment, student))
                earlier = glob.glob(str(exchange.inbound / glob.escape(f"{student}+{assignment}+{stamp}")) + "*")
                if len(earlier) == 1 and same_files(work, pathlib.Path(earlier[0])):
                    continue       # submitted on an earlier run: nothing to grade again
                for folder in earlier:
                    shutil.rmtree(folder)
                inbox.submit(exchange, work, assignment, student, when)
                print(f"{student} submitted {assignment} at {when.isoformat(timespec='minutes')}")
            collect(exchange, assignment)
            print(f"collected {assignment} into submitted/")


if __name__ == "__main__":
    main()
