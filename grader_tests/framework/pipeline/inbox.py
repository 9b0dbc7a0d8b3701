"""The nbgrader exchange, as the course's commands use it: what students submitted, collecting
one chosen submission, and pages released to one submission in place of its feedback.

The exchange is nbgrader's own (`nbgrader.exchange.default`): students `nbgrader submit` (or
press Submit in JupyterLab's Assignments tab) into `<root>/<course_id>/inbound/` as
`<student>+<assignment>+<timestamp>+<random>/`, each with its `timestamp.txt` and
`submission_secret.txt`; feedback goes to `<root>/<course_id>/feedback/<hash>.html`, the hash
made from that secret and the notebook's name, which is how `nbgrader fetch_feedback` finds the
feedback of each of a student's submissions. Nothing here deletes a submission from the
exchange: every one stays in `inbound/`.

- `scan`: every submission in the inbound folder (student, assignment, time);
- `collect`: one chosen submission into `submitted/<student>/<assignment>/`, through nbgrader's
  `ExchangeCollect` (the same copy and ignore rules as `nbgrader collect`), whichever of the
  student's submissions it is (nbgrader's own collect takes the newest, or the last before the
  assignment's due date without the student's extension);
- `release_page`: an HTML page released to one submission as its feedback (a submission kept
  for later, replaced by a newer one, or not counted), found by `fetch_feedback` like any other;
- `ClockSubmit`: nbgrader's submit reading the time from $COURSE_NOW when set (tests and the
  demo's example students submit on a simulated clock; see term.now).
"""
import dataclasses
import datetime
import glob
import html
import os
import pathlib

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import notebook_hash, parse_utc

from grader_tests.framework.pipeline import term as term_file

UTC = datetime.timezone.utc
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"     # nbgrader's Exchange.timestamp_format default


@dataclasses.dataclass(frozen=True)
class Received:
    """One submission in the exchange's inbound folder."""
    name: str                    # the inbound folder's name
    student: str
    assignment: str
    submitted_at: datetime.datetime   # aware, UTC
    path: pathlib.Path

    @property
    def secret(self):
        file = self.path / "submission_secret.txt"
        return file.read_text() if file.exists() else None

    def notebook_ids(self):
        return sorted(p.stem for p in self.path.glob("*.ipynb"))


@dataclasses.dataclass(frozen=True)
class Exchange:
    """Where a course's exchange is, and the nbgrader objects that work on it."""
    root: str
    course_id: str
    config: object

    @property
    def inbound(self):
        return pathlib.Path(self.root) / self.course_id / "inbound"

    @property
    def outbound_feedback(self):
        return pathlib.Path(self.root) / self.course_id / "feedback"

    def coursedir(self):
        from nbgrader.coursedir import CourseDirectory
        return CourseDirectory(config=self.config)

    def authenticator(self):
        from nbgrader.auth import Authenticator
        return Authenticator(config=self.config)


def course_exchange(root):
    """The course's exchange, as its nbgrader_config.py sets it up."""
    from grader_tests.framework.pipeline.term_grades import course_settings
    config = course_settings(root, "collect")
    return Exchange(root=str(config.Exchange.root), course_id=config.CourseDirectory.course_id,
                    config=config)


def format_timestamp(moment):
    """A time as nbgrader writes it in an inbound folder's name and timestamp.txt."""
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text):
    return parse_utc(text).replace(tzinfo=UTC)


def scan(exchange, assignments=None):
    """Every submission in the inbound folder (of `assignments` only, when given), oldest first."""
    found = []
    inbound = exchange.inbound
    if not inbound.is_dir():
        return found
    for path in inbound.iterdir():
        parts = path.name.rsplit("+", 3)     # as nbgrader's collect splits it
        if len(parts) < 3 or not path.is_dir():
            continue
        student, assignment, stamp = parts[0], parts[1], parts[2]
        if assignments is not None and assignment not in assignments:
            continue
        try:
            at = parse_timestamp(stamp)
        except (ValueError, OverflowError):
            continue
        found.append(Received(path.name, student, assignment, at, path))
    return sorted(found, key=lambda r: (r.submitted_at, r.name))


class _CollectChosen(ExchangeCollect):
    """nbgrader's collect of exactly the submissions given (not the newest of each student)."""

    chosen = ()

    def init_src(self):
        self.inbound_path = str(pathlib.Path(self.root) / self.coursedir.course_id / "inbound")
        self.src_records = [{"username": r.student, "filename": r.name,
                             "timestamp": r.submitted_at.replace(tzinfo=None)} for r in self.chosen]


def collect(exchange, received):
    """Copy the submission `received` into submitted/<student>/<assignment>/, replacing what
    is there unless it is that same submission."""
    coursedir = exchange.coursedir()
    coursedir.assignment_id = received.assignment
    collector = _CollectChosen(coursedir=coursedir, authenticator=exchange.authenticator(),
                               config=exchange.config)
    collector.chosen = (received,)
    collector.update = True
    collector.before_duedate = True      # nbgrader: copy whenever the timestamps differ
    collector.check_owner = False        # on a shared machine nbgrader would only warn
    collector.start()


def page(title, paragraphs):
    """A small self-contained HTML page (what a student's fetch_feedback gets in place of
    feedback)."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.45}"
            "h1{font-size:1.4em}</style></head>"
            f"<body><h1>{html.escape(title)}</h1>{body}</body></html>")


def release_page(exchange, received, text):
    """Release `text` (an HTML page) as the feedback of every notebook of the submission."""
    secret = received.secret
    if not secret:
        return []
    exchange.outbound_feedback.mkdir(parents=True, exist_ok=True)
    written = []
    for notebook_id in received.notebook_ids():
        target = exchange.outbound_feedback / f"{notebook_hash(secret=secret, notebook_id=notebook_id)}.html"
        partial = target.with_name(f".{target.name}.{os.getpid()}")
        partial.write_text(text)
        os.replace(partial, target)      # fetch_feedback never reads half a page
        written.append(target)
    return written


def released_feedback(exchange, received):
    """The pages released for the submission's notebooks (what fetch_feedback would get)."""
    secret = received.secret
    if not secret:
        return {}
    return {n: exchange.outbound_feedback / f"{notebook_hash(secret=secret, notebook_id=n)}.html"
            for n in received.notebook_ids()}


class ClockSubmit(ExchangeSubmit):
    """`nbgrader submit` that stamps the submission with $COURSE_NOW when it is set (a simulated
    clock for tests and the demo; `--ExchangeFactory.submit=` this class), else the clock."""

    def set_timestamp(self):
        if os.environ.get(term_file.CLOCK_VARIABLE):
            self.timestamp = format_timestamp(term_file.now())
        else:
            super().set_timestamp()


def submit(exchange, folder, assignment, student, when=None):
    """Submit `folder` (a student's copy of the assignment, named after it, as `nbgrader submit`
    would from the folder above it) as `student`, stamped `when` (default: now); the assignment
    must have been released to the exchange. Returns the submission's inbound name."""
    folder = pathlib.Path(folder)
    coursedir = exchange.coursedir()
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    submitter = ExchangeSubmit(coursedir=coursedir, authenticator=exchange.authenticator(),
                               config=exchange.config)
    submitter.assignment_dir = str(folder.parent)
    submitter.cache = str(folder.parent / ".nbgrader_cache")
    moment = when or term_file.now()
    submitter.set_timestamp = lambda: setattr(submitter, "timestamp", format_timestamp(moment))
    before = set(glob.glob(str(exchange.inbound / f"{glob.escape(student)}+{glob.escape(assignment)}+*")))
    submitter.start()
    after = set(glob.glob(str(exchange.inbound / f"{glob.escape(student)}+{glob.escape(assignment)}+*")))
    return pathlib.Path(sorted(after - before)[-1]).name if after - before else None
