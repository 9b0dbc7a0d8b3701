"""An LMS's bulk download of submissions laid out as nbgrader's `submitted/<student>/<assignment>/`
(`python tools/course.py import-lms ZIP ASSIGNMENT [--times FILE]`).

Supported layout: Canvas's "Download Submissions" zip, one flat entry per submitted file named
`<name>[_LATE]_<canvas user id>_<file id>_<file name as uploaded>` (Canvas's ContentZipper: the
student's sortable name without spaces, `LATE` when Canvas marked the submission late, the
user's id, the attachment's id; Canvas renames a student's repeated upload of the same name
`<stem>-1.ipynb`). Canvas downloads made with anonymous grading on (no user id) cannot be matched
to the roster and are refused; other LMSs' layouts (Moodle's `Full Name_<id>_assignsubmission_file_`
folders, Blackboard's `<assignment>_<user>_attempt_<date>_<file>`) are not supported.

- Students: the user id is looked up in the roster's `lms_user_id` column (roster.csv at the
  course root); the submission goes to `submitted/<roster id>/<assignment>/`, replacing what was
  there. Entries of users not in the roster are listed and left out.
- Times: the time each submission was made, written as nbgrader's `timestamp.txt` (autograde
  reads it; the late policy applies to it). Canvas's zip does not carry it (its entries are
  dated when the zip was made), so pass `--times`: the JSON list Canvas's API gives
  (`GET /api/v1/courses/:course/assignments/:assignment/submissions`: `user_id`,
  `submitted_at`) or a CSV with `user_id` (or `lms_user_id`) and `submitted_at` columns.
  Without it, the entry's date is used (read in this machine's time zone) and a warning says so;
  a submission Canvas marked LATE whose time is not past its due date is named in the summary.
- Files: each keeps the name the student uploaded it under; a notebook Canvas renamed
  `<stem>-<n>.ipynb` gets its expected name back when that is missing; a zip the student uploaded
  is unpacked into the folder (a single top-level folder in it dropped; nothing outside it).
  Everything else is handled by intake as for any submission (grader_tests/framework/pipeline/
  intake.py: other renamed notebooks, corrupt or missing ones, stray files kept out of
  autograded/).

The summary (printed, and written to reports/<assignment>/lms_import.json) says what landed where.
"""
import csv
import datetime
import io
import json
import pathlib
import re
import shutil
import zipfile

from grader_tests.framework.pipeline import term as term_file
from grader_tests.framework.pipeline.inbox import format_timestamp
from grader_tests.framework.pipeline.term_grades import read_roster, write_atomically

CANVAS_ENTRY = re.compile(r"^(?P<name>.+?)_(?:(?P<late>LATE)_)?(?P<user>\d+)_(?P<file>\d+)_(?P<display>.+)$")
CANVAS_COPY = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)(?P<ext>\.ipynb)$", re.I)


class LmsImportError(ValueError):
    """The download is not in a supported layout, or cannot be matched to the roster."""


def parse_entry(name):
    """(name slug, marked late, user id, file id, uploaded file name) of a Canvas zip entry, or
    None when the entry is not in Canvas's layout."""
    match = CANVAS_ENTRY.match(pathlib.PurePosixPath(name).name)
    if match is None or "/" in name.strip("/"):
        return None
    return (match["name"], bool(match["late"]), match["user"], match["file"], match["display"])


def read_times(path):
    """{lms user id: aware submitted_at} from Canvas's submissions JSON or a CSV."""
    text = pathlib.Path(path).read_text(encoding="utf-8-sig")
    if text.lstrip().startswith(("[", "{")):
        data = json.loads(text)
        rows = data if isinstance(data, list) else data.get("submissions", [])
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
    times = {}
    for row in rows:
        user = str(row.get("user_id") or row.get("lms_user_id") or "").strip()
        at = row.get("submitted_at")
        if user and at:
            moment = datetime.datetime.fromisoformat(str(at).replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise LmsImportError(f"{path}: submitted_at {at!r} of user {user} has no time zone")
            times[user] = moment
    return times


def _safe_member(name):
    parts = pathlib.PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts


def _unpack(data, folder):
    """Unpack a zip a student uploaded into `folder` (one top-level folder dropped); its names."""
    with zipfile.ZipFile(io.BytesIO(data)) as inner:
        members = [m for m in inner.infolist() if not m.is_dir() and _safe_member(m.filename)
                   and not m.filename.startswith("__MACOSX/")]
        tops = {pathlib.PurePosixPath(m.filename).parts[0] for m in members}
        strip = len(tops) == 1 and all(len(pathlib.PurePosixPath(m.filename).parts) > 1 for m in members)
        names = []
        for member in members:
            parts = pathlib.PurePosixPath(member.filename).parts[1 if strip else 0:]
            target = folder.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(inner.read(member))
            names.append("/".join(parts))
        return names


def import_canvas(root, zip_path, assignment, times=None):
    """Lay out the Canvas download `zip_path` (see the module docstring); returns the summary."""
    from grader_tests.framework.contract import table
    root = pathlib.Path(root)
    roster = read_roster(root)
    by_lms = {row["lms_user_id"]: student for student, row in roster.items() if row.get("lms_user_id")}
    if not by_lms:
        raise LmsImportError(f"{root / 'roster.csv'}: no student has an lms_user_id to match the download's users with")
    expected = set(table.load(assignment).notebook_files)
    term = term_file.load(root)
    with zipfile.ZipFile(zip_path) as archive:
        entries = [e for e in archive.infolist() if not e.is_dir()]
        parsed = [(e, parse_entry(e.filename)) for e in entries]
        if entries and not any(p for _, p in parsed):
            raise LmsImportError(
                f"{zip_path}: no entry is named as Canvas names them (<name>[_LATE]_<user id>_<file id>_<file>); "
                "an anonymous-grading download or another LMS's layout is not supported")
        groups, unmatched, skipped = {}, [], []
        for entry, fields in parsed:
            if fields is None:
                skipped.append(entry.filename)
                continue
            student = by_lms.get(fields[2])
            if student is None:
                unmatched.append({"entry": entry.filename, "lms_user_id": fields[2]})
                continue
            groups.setdefault(student, []).append((entry, fields))
        summary = {"assignment": assignment, "zip": str(zip_path), "students": {}, "not_in_roster": unmatched,
                   "not_canvas_entries": skipped, "times": "LMS record" if times is not None else
                   "zip entry dates (Canvas writes the time the zip was made: pass --times)"}
        for student, files in sorted(groups.items()):
            folder = root / "submitted" / student / assignment
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            late_marked = any(f[1] for _, f in files)
            user = files[0][1][2]
            landed, renamed = [], []
            for entry, (_, _, _, _, display) in files:
                data = archive.read(entry)
                if display.lower().endswith(".zip"):
                    try:
                        landed += _unpack(data, folder)
                        continue
                    except zipfile.BadZipFile:
                        pass          # kept as the file it is; intake reports what is missing
                target = folder / pathlib.PurePosixPath(display).name
                target.write_bytes(data)
                landed.append(target.name)
            for name in list(landed):
                copy = CANVAS_COPY.match(name)
                if copy and f"{copy['stem']}{copy['ext']}" in expected and not (folder / f"{copy['stem']}{copy['ext']}").exists():
                    (folder / name).rename(folder / f"{copy['stem']}{copy['ext']}")
                    renamed.append(f"{name} -> {copy['stem']}{copy['ext']}")
                    landed[landed.index(name)] = f"{copy['stem']}{copy['ext']}"
            if times is not None and user in times:
                at = times[user]
            else:
                at = datetime.datetime(*files[0][0].date_time).astimezone()   # this machine's zone
            (folder / "timestamp.txt").write_text(format_timestamp(at))
            due = term.due_for(assignment, student)
            late = due is not None and at > due
            record = {"lms_user_id": user, "folder": str(folder.relative_to(root)), "files": sorted(landed),
                      "submitted_at": at.astimezone(datetime.timezone.utc).isoformat(timespec="seconds"),
                      "marked_late_by_lms": late_marked, "late_by_term": late, "renamed": renamed}
            if times is not None and user not in times:
                record["warning"] = "no time for this user in --times: the zip entry's date was used"
            if late_marked and due is not None and not late:
                record["warning"] = "Canvas marked it LATE but its time is not past the due date in term.toml"
            summary["students"][student] = record
        summary["roster_without_submission"] = sorted(set(roster) - set(groups))
    write_atomically(root / "reports" / assignment / "lms_import.json", json.dumps(summary, indent=1))
    return summary


def main(root, zip_path, assignment, times_path=None):
    """The `import-lms` command: import, print what landed where; exit status 1 when nothing did."""
    try:
        times = read_times(times_path) if times_path else None
        summary = import_canvas(root, zip_path, assignment, times)
    except (LmsImportError, zipfile.BadZipFile, OSError) as err:
        print(f"import-lms: {err}")
        return 2
    if times is None:
        print("WARNING: no --times: submission times are the zip entries' dates (Canvas writes the time "
              "the zip was made); pass Canvas's submissions JSON or a CSV for the late policy")
    for student, record in summary["students"].items():
        note = f" ({record['warning']})" if "warning" in record else ""
        late = " LATE" if record["late_by_term"] else ""
        print(f"{record['folder']}/: {', '.join(record['files'])}; submitted {record['submitted_at']}{late}"
              + (f"; renamed {', '.join(record['renamed'])}" if record["renamed"] else "") + note)
    for entry in summary["not_in_roster"]:
        print(f"not in the roster (lms_user_id {entry['lms_user_id']}): {entry['entry']} left out")
    for name in summary["not_canvas_entries"]:
        print(f"not a Canvas submission entry: {name} left out")
    if summary["roster_without_submission"]:
        print(f"no submission from: {', '.join(summary['roster_without_submission'])}")
    print(f"{len(summary['students'])} submission(s) of {assignment} laid out under submitted/; "
          f"summary in reports/{assignment}/lms_import.json; grade them with "
          f"`python tools/course.py autograde {assignment}`")
    return 0 if summary["students"] else 1
