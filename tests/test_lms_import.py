"""A Canvas bulk download laid out as submitted/<student>/<assignment>/ (tools/course.py import-lms;
grader_tests/framework/pipeline/lms_import.py): roster ids from Canvas user ids, the LMS's
submission times as nbgrader's timestamp.txt, Canvas's renamed copies, a zipped folder, stray
files and users outside the roster; then intake takes the submissions in as any other."""
import datetime
import io
import json
import subprocess
import sys
import zipfile

import nbformat
import pytest

from conftest import make_course

from grader_tests.framework.pipeline import inbox, intake, lms_import

A = "sparse_autoencoder"
NB = f"{A}.ipynb"
DUE = datetime.datetime(2026, 10, 23, 23, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
ROSTER = ("id,first_name,last_name,email,lms_user_id,sis_login_id,section\n"
          "ada,Ada,Andersson,ada@example.edu,1001,ada,A\n"
          "ben,Ben,Baker,ben@example.edu,1002,ben,A\n"
          "cleo,Cleo,Clark,cleo@example.edu,1003,cleo,B\n"
          "dev,Dev,Das,dev@example.edu,1004,dev,B\n")
TIMES = [   # as Canvas's API lists an assignment's submissions
    {"id": 1, "user_id": 1001, "submitted_at": "2026-10-23T19:10:00Z", "late": False, "attempt": 2},
    {"id": 2, "user_id": 1002, "submitted_at": "2026-10-25T08:00:00Z", "late": True, "attempt": 1},
    {"id": 3, "user_id": 1003, "submitted_at": "2026-10-22T12:00:00Z", "late": False, "attempt": 1},
]


def canvas_zip(release_nb):
    """A download in Canvas's layout: <name>[_LATE]_<user id>_<file id>_<file as uploaded>."""
    notebook = release_nb.read_bytes()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:                  # cleo uploaded her folder, zipped
        z.writestr(f"my work/{A} (1).ipynb", notebook)
        z.writestr("my work/patches.png", b"\x89PNG")
        z.writestr("../escape.txt", b"outside")              # never written outside her folder
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(f"anderssonada_1001_555001_{NB}", notebook)
        z.writestr(f"bakerben_LATE_1002_555002_{A}-1.ipynb", notebook)     # Canvas's renamed copy
        z.writestr("bakerben_LATE_1002_555003_notes.txt", b"my notes")
        z.writestr("clarkcleo_1003_555004_submission.zip", inner.getvalue())
        z.writestr(f"strangerstan_9999_555005_{NB}", notebook)              # not in the roster
    return out.getvalue()


@pytest.fixture
def course(tmp_path):
    from conftest import nbgrader
    course = make_course(tmp_path, A)
    nbgrader(course, "generate_assignment", A, "--force")
    (course / "roster.csv").write_text(ROSTER)
    (course / "term.toml").write_text(f"[assignments.{A}]\ndue = {DUE.isoformat()}\n")
    (tmp_path / "submissions.zip").write_bytes(canvas_zip(course / "release" / A / NB))
    (tmp_path / "times.json").write_text(json.dumps(TIMES))
    return course


def test_canvas_download_lands_under_roster_ids(course, tmp_path):
    summary = lms_import.import_canvas(course, tmp_path / "submissions.zip", A,
                                       lms_import.read_times(tmp_path / "times.json"))
    sub = course / "submitted"
    assert sorted(p.name for p in sub.iterdir()) == ["ada", "ben", "cleo"]
    assert sorted(p.name for p in (sub / "ada" / A).iterdir()) == [NB, "timestamp.txt"]
    # Canvas's "-1" copy named back; the stray file kept beside it (intake keeps it out of grading)
    assert sorted(p.name for p in (sub / "ben" / A).iterdir()) == ["notes.txt", NB, "timestamp.txt"]
    assert summary["students"]["ben"]["renamed"] == [f"{A}-1.ipynb -> {NB}"]
    # the zipped folder unpacked without its top folder, nothing written outside it
    assert sorted(p.name for p in (sub / "cleo" / A).iterdir()) == ["patches.png", f"{A} (1).ipynb", "timestamp.txt"]
    assert not list(course.rglob("escape.txt")) and not list(tmp_path.rglob("escape.txt"))
    # the LMS's times, as nbgrader reads them
    stamps = {s: inbox.parse_timestamp((sub / s / A / "timestamp.txt").read_text()) for s in ("ada", "ben", "cleo")}
    assert stamps["ada"] == datetime.datetime(2026, 10, 23, 19, 10, tzinfo=datetime.timezone.utc)
    assert {s: r["late_by_term"] for s, r in summary["students"].items()} == {"ada": False, "ben": True, "cleo": False}
    assert summary["students"]["ben"]["marked_late_by_lms"] and "warning" not in summary["students"]["ben"]
    assert summary["not_in_roster"] == [{"entry": f"strangerstan_9999_555005_{NB}", "lms_user_id": "9999"}]
    assert summary["roster_without_submission"] == ["dev"]
    assert json.loads((course / "reports" / A / "lms_import.json").read_text())["students"]["ada"]["folder"] == f"submitted/ada/{A}"
    # intake then treats them as any submission: cleo's renamed download is renamed back
    report = intake.intake_all(course, A)
    assert report["cleo"][NB]["outcome"] == "renamed" and report["ada"][NB]["outcome"] == "ok"
    assert nbformat.read(sub / "cleo" / A / NB, 4).cells


def test_without_times_the_entry_dates_are_used_and_said(course, tmp_path):
    proc = subprocess.run([sys.executable, "tools/course.py", "import-lms", str(tmp_path / "submissions.zip"), A],
                          cwd=course, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING: no --times" in proc.stdout and f"submitted/ben/{A}/:" in proc.stdout
    assert "not in the roster (lms_user_id 9999)" in proc.stdout and "no submission from: dev" in proc.stdout


def test_other_layouts_are_refused(course, tmp_path):
    anonymous = tmp_path / "anonymous.zip"
    with zipfile.ZipFile(anonymous, "w") as z:
        z.writestr(f"anonymous_x7k2q_{NB}", b"{}")
    with pytest.raises(lms_import.LmsImportError, match="anonymous-grading download or another LMS"):
        lms_import.import_canvas(course, anonymous, A)
    assert lms_import.parse_entry(f"smith_bob_LATE_42_7_{A} (2).ipynb") == ("smith_bob", True, "42", "7", f"{A} (2).ipynb")
