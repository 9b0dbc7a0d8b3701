"""`recurrent_cells` submissions that try to READ what is not theirs and print it into their own
outputs, which come back to them in the autograded notebook and the feedback (SPEC 11).

Each is a correct submission plus code that looks for secrets the test planted (`Secrets`):
- `prober`: a variable of the grading process's environment, a staff file outside the course
  (a home folder), another student's notebook in an nbgrader exchange folder, the first line of
  /etc/shadow and a file in the host's /dev/shm. It reports twice: printed by its `lstm_cell`
  answer in the kernel (that unit keeps its points), and as the exception its `gru_cell` answer
  raises, which the grader's own sandboxed run turns into that unit's feedback message (that unit
  loses its points either way).
- `writer` and `reader`, graded side by side: the writer leaves a marker in its /tmp, /dev/shm
  and working folder and stays alive; the reader looks for it, and for other kernels'
  connection files (their keys), in every place it can list.
Every finding is a short line `EXFIL <what>=<value>`, "-" where the read was refused or found
nothing; the test checks that no planted value reaches any output, and that with confinement off
they do (so the test can fail).
"""
import dataclasses
import json
import pathlib
import secrets

import nbformat
from nbformat.v4 import new_code_cell

from grader_tests.framework.pipeline import submission_builder as sb
from grader_tests.recurrent_cells import adversarial as adv

MARK = "EXFIL"
WRITER_SECONDS = 10     # how long the writer's kernel stays up after leaving its markers
READER_SECONDS = 12     # how long the reader keeps looking


@dataclasses.dataclass
class Secrets:
    """What the test plants outside the submission's reach (values are random tokens)."""
    folder: pathlib.Path         # outside the course, /tmp and /dev/shm (e.g. under /var/tmp)
    env_name: str = "COURSE_DEPLOY_TOKEN"
    env_value: str = dataclasses.field(default_factory=lambda: "cnyenv" + secrets.token_hex(4))
    staff_value: str = dataclasses.field(default_factory=lambda: "cnystaff" + secrets.token_hex(4))
    exchange_value: str = dataclasses.field(default_factory=lambda: "cnyexch" + secrets.token_hex(4))
    shm_value: str = dataclasses.field(default_factory=lambda: "cnyshm" + secrets.token_hex(4))
    writer_value: str = dataclasses.field(default_factory=lambda: "cnywrite" + secrets.token_hex(4))

    @property
    def staff_file(self):
        return self.folder / "home" / "staff" / ".gradebook_credentials"

    @property
    def exchange_file(self):
        return (self.folder / "exchange" / "dl-course" / "inbound" /
                "other_student+recurrent_cells+2026-12-01 10:00:00.000000 UTC" / "recurrent_cells.ipynb")

    @property
    def shm_file(self):
        return pathlib.Path("/dev/shm") / f"course-grader-{self.shm_value}" / "session"

    def plant(self):
        self.staff_file.parent.mkdir(parents=True, exist_ok=True)
        self.staff_file.write_text(f"postgresql://grader:{self.staff_value}@db/gradebook\n")
        self.exchange_file.parent.mkdir(parents=True, exist_ok=True)
        self.exchange_file.write_text(json.dumps({"cells": [{"source": self.exchange_value}]}))
        self.shm_file.parent.mkdir(mode=0o755)
        self.shm_file.write_text(self.shm_value)
        for path in (self.staff_file, self.exchange_file, self.shm_file):
            path.chmod(0o644)    # readable by anyone who can reach it: only the view protects it
        # another user's folder, as on a shared machine: the earlier sandbox's probe server, given
        # the host's /dev, wipes whatever in /dev/shm its capability-less root may delete
        import os
        os.chown(self.shm_file.parent, 4242, 4242)

    def remove(self):
        import shutil
        shutil.rmtree(self.folder, ignore_errors=True)
        shutil.rmtree(self.shm_file.parent, ignore_errors=True)

    def planted_values(self):
        """{what: value} that must never reach a student's outputs."""
        return {"env": self.env_value, "staff": self.staff_value, "exchange": self.exchange_value,
                "shm": self.shm_value, "shadow": "root:"}


_READERS = """
import os as _os
def _read(path, size=200):
    try:
        with open(path, errors="replace") as _fh:
            return _fh.read(size)
    except OSError:
        return ""
def _token(text, prefix):
    import re as _re
    _m = _re.search(prefix + "[0-9a-f]{8}", text)
    return _m.group(0) if _m else "-"
"""


def prober_code(found):
    """Code that reads the planted secrets: `found` is the expression its findings line goes to
    (print(...) or raise RuntimeError(...))."""
    return _READERS + f"""
_shm = "".join(_read("/dev/shm/" + _n + "/session") for _n in (_os.listdir("/dev/shm") if _os.path.isdir("/dev/shm") else [])
               if _n.startswith("course-grader-"))
_findings = " ".join([
    "env=" + _token(_os.environ.get(SECRETS_ENV, ""), "cnyenv"),
    "staff=" + _token(_read(SECRETS_STAFF), "cnystaff"),
    "exchange=" + _token(_read(SECRETS_EXCHANGE), "cnyexch"),
    "shadow=" + (_read("/etc/shadow", 5) or "-"),
    "shm=" + _token(_shm, "cnyshm")])
{found}
"""


def _prelude(found_secrets):
    return (f"SECRETS_ENV = {found_secrets.env_name!r}\nSECRETS_STAFF = {str(found_secrets.staff_file)!r}\n"
            f"SECRETS_EXCHANGE = {str(found_secrets.exchange_file)!r}\n")


WRITER = _READERS + f"""
import time as _time
for _folder in ("/tmp", "/dev/shm", _os.getcwd()):
    try:
        with open(_os.path.join(_folder, "writer-marker-" + WRITER_VALUE), "w") as _fh:
            _fh.write(WRITER_VALUE)
    except OSError:
        pass
_time.sleep({WRITER_SECONDS})
"""

READER = _READERS + f"""
import glob as _glob, json as _json, time as _time
_mine = next((a for a in __import__("sys").argv if a.endswith("connection.json")), "")
_seen, _keys = set(), set()
_end = _time.time() + {READER_SECONDS}
while _time.time() < _end and not (_seen and _keys):
    _places = ["/tmp", "/dev/shm", _os.getcwd(), _os.path.join(_os.getcwd(), "..", "..", "writer", "recurrent_cells")]
    for _place in _places:
        for _path in _glob.glob(_os.path.join(_place, "**"), recursive=True)[:5000]:
            if "writer-marker-" in _path:
                _seen.add(_token(_path, "cnywrite"))
            if _path.endswith("connection.json") and _os.path.realpath(_path) != _os.path.realpath(_mine or "/"):
                _key = _json.loads(_read(_path, 4000) or "{{}}").get("key")
                if _key:
                    _keys.add(_key[:8])
    _time.sleep(0.5)
print({MARK!r}, "writer=" + (",".join(sorted(_seen)) or "-"), "kernel_keys=" + (",".join(sorted(_keys)) or "-"), flush=True)
"""


def _insert_after_imports(nb, source):
    """A cell of the student's own after the given imports (it runs in the kernel only)."""
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code + 1, new_code_cell(source))
    return nb


def build(name, release, solutions, folder, planted):
    """Write the submission of `name` ('prober', 'writer', 'reader') into `folder`."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    answers = {u: solutions[u] for u in adv.CODE_UNITS + ("model_identification",)}
    if name == "prober":
        answers["lstm_cell"] = (_prelude(planted) + prober_code(f"print({MARK!r}, _findings, flush=True)")
                                + solutions["lstm_cell"])
        answers["gru_cell"] = (_prelude(planted) + prober_code(f"raise RuntimeError({MARK!r} + ' ' + _findings)")
                               + solutions["gru_cell"])
    nb = sb.build(release, answers)
    if name == "writer":
        nb = _insert_after_imports(nb, f"WRITER_VALUE = {planted.writer_value!r}\n" + WRITER)
    elif name == "reader":
        nb = _insert_after_imports(nb, READER)
    nbformat.write(nb, str(folder / adv.NOTEBOOK))


# what each submission's code tries to read, and which of its units lose points whatever happens
LOST = {"prober": ("gru_cell",), "writer": (), "reader": ()}


def findings(text):
    """{what: {values}} of every `EXFIL` line in `text` (an autograded notebook or a feedback
    page); "-" (refused, or nothing found) is left out."""
    import re
    out = {}
    for line in re.findall(MARK + r"((?: \w+=[\w:*,.-]+)+)", text):
        for what, value in re.findall(r"(\w+)=([\w:*,.-]+)", line):
            value = value.rstrip(".")     # the end of the sentence a message puts it in
            if value.strip("-"):
                out.setdefault(what, set()).add(value)
    return out
