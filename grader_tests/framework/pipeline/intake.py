"""Submission intake: every submission reaches autograde as a readable notebook with the
expected name, and whatever had to be done to it is recorded (issue: crash-contained grading).

For submitted/<student>/<assignment>/, per notebook of source/<assignment>/:
- present and readable: `ok`;
- missing, but one other notebook whose name is a download variant of it
  (`recurrent_cells (1).ipynb`, `recurrent_cells-Copy1.ipynb`, `Recurrent_Cells.ipynb`,
  `recurrent_cells.ipynb.ipynb`): renamed to the expected name, `renamed`;
- bytes that are not UTF-8 but JSON otherwise: decoded with replacement characters, `repaired`;
- missing or unreadable (corrupt JSON, not a notebook): replaced by the release notebook with a
  note at the top saying why, so it autogrades to 0 with the reason in the feedback;
  `missing` / `corrupt`;
- readable, but a structure nbgrader would void the whole submission for (a copied graded cell,
  nbgrader metadata lost to another editor, a cell claiming a grade of its own, a test cell made
  ungraded, a deleted cell nbgrader cannot put back): its cells are matched to the release
  notebook's and their metadata restored (grader_tests/framework/pipeline/structure.py),
  `structure repaired`, with what was found and done under `structure` in the record.
Symbolic links in a submission are deleted (`links removed`): nbgrader, running as the grader,
would copy what they point to. The student's original files are kept beside it as `_original_<name>`. A note cell at the top of
the graded notebook tells the student what happened; `reports/<assignment>_intake.json` keeps
the outcomes for the score table. Running it again changes nothing.
"""
import contextlib
import json
import os
import pathlib
import re

import nbformat
from nbformat.v4 import new_markdown_cell

from grader_tests.framework.pipeline import structure

NOTE_MARK = "course-intake-note"
STRUCTURE_REPAIRED = "structure repaired"
_VARIANT = re.compile(r"^(?P<stem>.+?)(?:\s*\(\d+\)|-Copy\d*|_copy\d*|\.ipynb)*$", re.I)


def _stem(name):
    base = name[:-len(".ipynb")] if name.lower().endswith(".ipynb") else name
    m = _VARIANT.match(base)
    return (m.group("stem") if m else base).strip().lower()


def _stamp(path):
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def grading_note(text):
    """A markdown cell at the top of a graded notebook that tells the student what happened."""
    cell = new_markdown_cell(f"**Grading note.** {text}")
    cell.metadata[NOTE_MARK] = True
    return cell


def _read(path):
    """(notebook or None, outcome, detail)."""
    raw = path.read_bytes()
    try:
        text, outcome, detail = raw.decode("utf-8"), "ok", ""
    except UnicodeDecodeError as err:
        text = raw.decode("utf-8", errors="replace")
        outcome, detail = "repaired", f"bytes that are not UTF-8 (first at byte {err.start}) were replaced"
    try:
        nb = nbformat.reads(text, as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("no cells")
    except Exception as err:  # any parse failure: corrupt JSON, not a notebook, wrong schema
        return None, "corrupt", f"it is not a readable notebook ({type(err).__name__}: {str(err)[:120]})"
    return nb, outcome, detail


LINKS = "(links)"   # the report's key for removed symbolic links (not a notebook name)


def _remove_links(folder):
    """Delete the symbolic links in a submission folder (not what they point to); their names."""
    removed = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            path = pathlib.Path(dirpath) / name
            if path.is_symlink():
                path.unlink()
                removed.append(str(path.relative_to(folder)))
    return sorted(removed)


def _restore_structure(nb, release_path, assignment_table=None):
    """`structure.Restructured` of `nb` against the release notebook at `release_path` (None when
    there is no release notebook to compare with); the unit table, when given, says which names
    each answer cell defines and which unit each test cell belongs to."""
    if not release_path.is_file():
        return None
    release_nb = nbformat.read(str(release_path), as_version=4)
    defines, unit_of_test = {}, {}
    if assignment_table is not None:
        defines = {u.id: tuple(u.defines) for u in assignment_table.units}
        unit_of_test = {t: u.id for u in assignment_table.units for t in u.test_ids}
    return structure.restore_structure(nb, release_nb, defines, unit_of_test)


def intake_submission(folder, release_folder, expected, assignment_table=None):
    """Intake one submission folder; returns {notebook name: {"outcome", "detail"}, plus
    "structure" (what was found and done) for a notebook whose structure was repaired}.
    `assignment_table`: the assignment's unit table (optional; it helps find answer cells)."""
    folder = pathlib.Path(folder)
    results = {}
    links, marker = _remove_links(folder), folder / ".intake_links.json"
    if links:   # a link would make nbgrader (root) copy whatever it points to into autograded/
        marker.write_text(json.dumps({"outcome": "links removed",
                                      "detail": f"symbolic links are not accepted: {', '.join(links[:5])}"}))
    if marker.exists():
        results[LINKS] = json.loads(marker.read_text())
    for name in expected:
        target = folder / name
        marker = folder / f".intake_{name}.json"
        if marker.exists() and target.exists():  # taken in before, and unchanged since
            recorded = json.loads(marker.read_text())
            if recorded.get("stamp") == _stamp(target):
                results[name] = {k: recorded[k] for k in ("outcome", "detail", "structure") if k in recorded}
                continue
        outcome, detail, nb = "ok", "", None
        if not target.exists():
            candidates = [p for p in folder.glob("*.ipynb")
                          if not p.name.startswith("_original_") and _stem(p.name) == _stem(name)
                          and p.name not in expected]
            if len(candidates) == 1:
                original = candidates[0]
                (folder / f"_original_{original.name}").write_bytes(original.read_bytes())
                original.rename(target)
                outcome, detail = "renamed", f"submitted as '{original.name}', graded as '{name}'"
        if target.exists():
            nb, read_outcome, read_detail = _read(target)
            if nb is None:
                (folder / f"_original_{name}").write_bytes(target.read_bytes())
                outcome, detail = "corrupt", read_detail
            elif read_outcome == "repaired":
                (folder / f"_original_{name}").write_bytes(target.read_bytes())
                outcome, detail = ("repaired" if outcome == "ok" else outcome,
                                   "; ".join(d for d in (detail, read_detail) if d))
        else:
            found = sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []
            outcome = "missing"
            detail = (f"no notebook named '{name}' was found" +
                      (f" (files found: {', '.join(found)})" if found else " (the folder was empty)"))
        restored, unchecked = None, ""
        if nb is not None and outcome not in ("missing", "corrupt"):
            try:
                restored = _restore_structure(nb, pathlib.Path(release_folder) / name, assignment_table)
            except Exception as err:   # never stop the intake of the others; nbgrader says the rest
                unchecked = f"structure not checked ({type(err).__name__}: {str(err)[:120]})"
        if restored is not None and restored.changed:
            original = folder / f"_original_{name}"
            if outcome == "ok" or not original.exists():   # the student's notebook as submitted
                original.write_bytes(target.read_bytes())
            nb = restored.notebook
            said = restored.summary() or "its grading metadata was restored from the assignment's"
            outcome = STRUCTURE_REPAIRED if outcome == "ok" else outcome
            detail = "; ".join(d for d in (detail, said) if d)
        if outcome in ("missing", "corrupt"):
            nb = nbformat.read(str(pathlib.Path(release_folder) / name), as_version=4)
            nb.cells.insert(0, grading_note(f"Your submission could not be graded: {detail}. It was "
                                     "graded as an empty notebook (0 points). Contact the course "
                                     "staff if you think this is wrong."))
        elif outcome != "ok":
            nb.cells.insert(0, grading_note(f"Your notebook was graded after a fix: {detail}."))
        if outcome != "ok":
            nbformat.write(nb, str(target))
        results[name] = {"outcome": outcome, "detail": detail}
        if restored is not None and restored.changed:
            results[name]["structure"] = restored.record()
        elif unchecked:
            results[name]["structure"] = {"error": unchecked}
        marker.write_text(json.dumps({**results[name], "stamp": _stamp(target)}))
    return results


def intake_all(root, assignment):
    """Intake every submission of `assignment` under root/submitted; writes the report file."""
    root = pathlib.Path(root)
    source = root / "source" / assignment
    release = root / "release" / assignment
    expected = sorted(p.name for p in source.glob("*.ipynb"))
    report = {}
    submitted = root / "submitted"
    if not expected or not submitted.is_dir() or not release.is_dir():
        return report
    assignment_table = None
    with contextlib.suppress(Exception):      # without its table, answer cells are found by place
        from grader_tests.framework.contract import table
        assignment_table = table.load(assignment)
    for student in sorted(p for p in submitted.iterdir() if p.is_dir()):
        folder = student / assignment
        if folder.is_dir():
            report[student.name] = intake_submission(folder, release, expected, assignment_table)
    out = root / "reports"
    out.mkdir(exist_ok=True)
    # written whole, then renamed: grading processes that take the submissions in at the same
    # time, and the reports, never read half a file
    path = out / f"{assignment}_intake.json"
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(report, indent=1))
    os.replace(partial, path)
    return report


# ---------------------------------------------------------------------------------------------
# What nbgrader copies: only the files an assignment expects
# ---------------------------------------------------------------------------------------------

NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")


def expected_names(root, assignment):
    """Names of the files a submission of `assignment` is expected to hold: the release's files
    (notebooks, shipped modules, figures), the files its units read beside the notebook
    (`Unit.submitted_files`, e.g. a checkpoint) and nbgrader's own files (the submission's
    timestamp, and the secret `release_feedback` matches feedback to a submission by)."""
    from grader_tests.framework.contract import table
    root = pathlib.Path(root)
    names = set(NBGRADER_FILES)
    for folder in (root / "release" / assignment, root / "source" / assignment):
        if folder.is_dir():
            names.update(p.name for p in folder.rglob("*") if p.is_file())
    with contextlib.suppress(Exception):
        assignment_table = table.load(assignment)
        names.update(assignment_table.notebook_files)
        names.update(f for u in assignment_table.units for f in u.submitted_files)
    return names


def unexpected_names(root, step_folder, extra=()):
    """Glob-escaped names of the files and folders under root/<step_folder>/*/<assignment>/ that
    no assignment expects (`expected_names`, plus `extra` patterns such as '*.html'): added to
    nbgrader's CourseDirectory.ignore so autograde copies only expected submitted files into
    autograded/ and generate_feedback only expected files into feedback/. Nothing is deleted."""
    import fnmatch
    import glob
    from grader_tests.framework.contract import table
    root = pathlib.Path(root)
    base = root / step_folder
    if not base.is_dir():
        return []
    assignments = table.assignments(root)
    # ignore globs are global to an nbgrader run: a name any assignment expects is never ignored
    expected = set().union(*(expected_names(root, a) for a in assignments))
    found = set()
    for assignment in assignments:
        for folder in base.glob(f"*/{glob.escape(assignment)}"):
            for path in folder.rglob("*"):
                name = path.name
                if name in expected or any(fnmatch.fnmatch(name, pattern) for pattern in extra):
                    continue
                if path.is_dir() and any(p.is_file() and p.name in expected for p in path.rglob("*")):
                    continue   # a folder that holds expected files (a release subfolder)
                found.add(glob.escape(name))
    return sorted(found)
