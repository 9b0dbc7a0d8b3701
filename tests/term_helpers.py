"""A throwaway course running a term (tests of serve, the term file and the student client): its
exchange, roster and term file, students who fetch and submit with nbgrader's own exchange
classes (what `nbgrader fetch_assignment`, `submit` and `fetch_feedback` run) on a simulated
clock, and the course's commands run as the instructor runs them."""
import datetime
import os
import pathlib
import subprocess
import sys

from conftest import ROOT, nbgrader

from grader_tests.framework.pipeline import inbox
from grader_tests.framework.pipeline import submission_builder as sb
from grader_tests.framework.pipeline import term as term_file
from grader_tests.framework.contract import table

COURSE_ID = "dl-recurrent-coursework"
ASSIGNMENT = "sparse_autoencoder"      # the fastest to grade (about 3 s per submission here)
ROSTER_HEADER = "id,first_name,last_name,email,lms_user_id,sis_login_id,section\n"


def term_course(folder, term_text, students, assignment=ASSIGNMENT):
    """(course, exchange, release notebook, the instructor's answers of the autograded units): a
    throwaway course with the assignment generated and released to its own exchange, `term_text`
    as its term.toml and a roster of `students` (ids; LMS ids 1001, 1002, ...)."""
    folder = pathlib.Path(folder)
    exchange = folder / "exchange"
    exchange.mkdir(mode=0o777)
    os.chmod(exchange, 0o777)
    env = {"COURSE_EXCHANGE": str(exchange)}
    # the term's grader is a copy: edits of the working tree while it runs are no grader change
    course = sb.throwaway_course(folder, assignment, ROOT, frozen=True)
    nbgrader(course, "generate_assignment", assignment, "--force", env=env)
    notebook = table.load(assignment).notebook_files[0]
    release_nb = course / "release" / assignment / notebook
    solutions = sb.solutions(course / "source" / assignment / notebook)
    (course / "term.toml").write_text(term_text)
    (course / "roster.csv").write_text(ROSTER_HEADER + "".join(
        f"{s},{s.title()},Student,{s}@example.edu,{1001 + i},{s},A\n" for i, s in enumerate(students)))
    nbgrader(course, "release_assignment", assignment, "--force", env=env)
    autograded = {u.id for u in table.load(assignment).autograded_units}
    return course, exchange, release_nb, {k: v for k, v in solutions.items() if k in autograded}


def course_command(course, exchange, *args, timeout=600):
    """`python tools/course.py *args` in the course, as the instructor runs it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COURSE_ROOT", term_file.CLOCK_VARIABLE)}
    env["COURSE_EXCHANGE"] = str(exchange)
    proc = subprocess.run([sys.executable, "tools/course.py", *args], cwd=course, capture_output=True,
                          text=True, env=env, timeout=timeout)
    return proc


def at(moment):
    """The ISO 8601 text of an aware datetime (for --now)."""
    return moment.isoformat()


class Student:
    """A student with their own home folder and nbgrader cache, using nbgrader's exchange."""

    def __init__(self, student_id, base, exchange, release_nb, assignment=ASSIGNMENT):
        from traitlets.config import Config
        self.id, self.assignment, self.release_nb = student_id, assignment, pathlib.Path(release_nb)
        self.home = pathlib.Path(base) / "homes" / student_id
        self.home.mkdir(parents=True)
        self.config = Config()
        self.config.CourseDirectory.root = str(self.home)
        self.config.CourseDirectory.course_id = COURSE_ID
        self.config.Exchange.root = str(exchange)
        self.config.Exchange.cache = str(self.home / ".nbgrader_cache")
        self.config.Exchange.assignment_dir = str(self.home)
        self._run("fetch_assignment")

    def _run(self, what):
        from nbgrader.auth import Authenticator
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeFetchFeedback
        coursedir = CourseDirectory(config=self.config)
        coursedir.assignment_id, coursedir.student_id = self.assignment, self.id
        kind = {"fetch_assignment": ExchangeFetchAssignment, "fetch_feedback": ExchangeFetchFeedback,
                "submit": inbox.ClockSubmit}[what]
        kind(coursedir=coursedir, authenticator=Authenticator(config=self.config), config=self.config).start()

    @property
    def folder(self):
        return self.home / self.assignment

    def submit(self, answers, when):
        """Save the release notebook with `answers` ({grade_id: text}) and submit it at `when`."""
        sb.write(sb.build(self.folder / self.release_nb.name, answers), self.folder / self.release_nb.name)
        saved = os.environ.get(term_file.CLOCK_VARIABLE)
        os.environ[term_file.CLOCK_VARIABLE] = when.isoformat()
        try:
            self._run("submit")
        finally:
            if saved is None:
                os.environ.pop(term_file.CLOCK_VARIABLE, None)
            else:
                os.environ[term_file.CLOCK_VARIABLE] = saved
        return when

    def fetch_feedback(self):
        self._run("fetch_feedback")

    def feedback(self, when):
        """The fetched feedback page of the submission made at `when` (None: none fetched)."""
        page = (self.folder / "feedback" / inbox.format_timestamp(when)
                / f"{self.release_nb.stem}.html")
        return page.read_text() if page.exists() else None


def text_of(page):
    """A page's text without tags and with whitespace collapsed (for assertions)."""
    import html
    import re
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page or "", flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def hours(n):
    return datetime.timedelta(hours=n)
