"""A notebook's structure restored from the release before nbgrader grades it
(grader_tests/framework/pipeline/structure.py, called by intake).

Without it nbgrader voids the whole submission (every unit 0) for a copied test or answer cell,
a notebook whose nbgrader metadata another editor dropped, a cell claiming a grade of its own,
or test cells made ungraded. Asserted:
- the matcher, on small synthetic notebooks and on every assignment's release: which cell each
  release cell is found in, how, and what is recorded; a repaired notebook never has a graded
  cell or a point the release does not have; repairing twice changes nothing;
- through plain `nbgrader autograde` (one course, one student per case, one run): correct
  answers keep full points in every case, including a notebook saved by jupytext with its
  metadata filtered out; demoted test cells cost their unit only; inflated points count for
  nothing; every repair is recorded (intake report, marker) and shown (grading note and
  per-unit summary in the feedback, score table's outcome column, class report);
- through `tools/course.py autograde` (Dask) on a two-notebook assignment: the same.
"""
import copy
import csv
import json
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import ROOT, course_with_release, nbgrader
from grader_tests.framework.pipeline import intake, structure
from grader_tests.framework.pipeline import submission_builder as sb
from grader_tests.framework.contract import table

sys.path.insert(0, str(ROOT / "tools"))
import course as course_tool  # noqa: E402


# ---------------------------------------------------------------------------------------------
# The matcher on a small synthetic assignment
# ---------------------------------------------------------------------------------------------

def nbgrader_cell(kind, gid, source, points=None, cell_type="code"):
    meta = {"grade": kind in ("test", "written"), "solution": kind in ("answer", "written"),
            "locked": kind in ("given", "test"), "grade_id": gid, "schema_version": 3,
            "task": False, "cell_type": cell_type, "checksum": "0"}
    if points is not None:
        meta["points"] = points
    make = new_code_cell if cell_type == "code" else new_markdown_cell
    cell = make(source, metadata={"nbgrader": meta})
    cell["id"] = gid
    return cell


ADD_TEMPLATE = "def add(a, b):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
SCALE_TEMPLATE = "def scale(x, k):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
ANSWERS = {"add": "def add(a, b):\n    return a + b", "scale": "def scale(x, k):\n    return [k * v for v in x]"}
DEFINES = {"add": ("add",), "scale": ("scale",)}


def release_notebook():
    """Given code, two units (answer, visible test cells), a written answer, prose between."""
    return new_notebook(cells=[
        new_markdown_cell("# Tiny assignment\n\nWrite two functions."),
        nbgrader_cell("given", "setup", "import math\nimport numpy as np"),
        new_markdown_cell("## 1. add (3 points)"),
        nbgrader_cell("answer", "add", ADD_TEMPLATE),
        nbgrader_cell("test", "test_add", "assert add(1, 2) == 3", points=1),
        nbgrader_cell("test", "test_add_values", "assert add(-1, 1) == 0\nassert add(2.5, 0.5) == 3.0", points=2),
        new_markdown_cell("## 2. scale (2 points)"),
        nbgrader_cell("given", "helpers", "def norm(x):\n    return math.sqrt(sum(v * v for v in x))"),
        nbgrader_cell("answer", "scale", SCALE_TEMPLATE),
        nbgrader_cell("test", "test_scale", "assert scale([1, 2], 3) == [3, 6]", points=2),
        new_markdown_cell("## 3. Why? (2 points)"),
        nbgrader_cell("written", "why", "YOUR ANSWER HERE", points=2, cell_type="markdown"),
    ])


RELEASE = release_notebook()


def answered():
    nb = copy.deepcopy(RELEASE)
    for cell in nb.cells:
        if structure.grade_id(cell) in ANSWERS:
            cell.source = ANSWERS[structure.grade_id(cell)]
        if structure.grade_id(cell) == "why":
            cell.source = "Because adding is easy."
    return nb


def strip(nb, new_ids=False):
    for k, cell in enumerate(nb.cells):
        cell.metadata = {}
        if new_ids:
            cell["id"] = f"fresh{k}"
    return nb


def at(nb, gid):
    return next(k for k, c in enumerate(nb.cells) if structure.grade_id(c) == gid)


def restore(nb):
    return structure.restore_structure(nb, RELEASE, DEFINES)


def graded_cells(nb):
    """{grade_id: cell} of the graded notebook; fails on a grade_id given twice."""
    ids = [structure.grade_id(c) for c in nb.cells if structure.grade_id(c)]
    assert len(ids) == len(set(ids)), f"a grade_id twice: {ids}"
    return {structure.grade_id(c): c for c in nb.cells if structure.grade_id(c)}


def assert_nothing_gained(result):
    """Only the release's graded cells, each once, with the release's settings and points; a
    repaired notebook needs no second repair."""
    cells = graded_cells(result.notebook)
    release = graded_cells(RELEASE)
    assert set(cells) <= set(release)
    for gid, cell in cells.items():
        assert cell.metadata["nbgrader"] == release[gid].metadata["nbgrader"], gid
        assert cell.cell_type == release[gid].cell_type
    assert structure.consistent(RELEASE.cells, result.notebook.cells)
    assert not structure.restore_structure(result.notebook, RELEASE, DEFINES).changed


def kinds(result):
    return [(r.kind, r.cell) for r in result.repairs]


def test_a_consistent_notebook_is_left_alone():
    nb = answered()
    del nb.cells[at(nb, "test_add_values")]      # nbgrader puts it back itself (after test_add)
    result = restore(nb)
    assert not result.changed and result.notebook is nb and result.repairs == []


def test_all_metadata_lost_matched_by_content_and_place():
    result = restore(strip(answered(), new_ids=True))
    cells = graded_cells(result.notebook)
    assert set(cells) == set(graded_cells(RELEASE))
    assert cells["add"].source == ANSWERS["add"] and cells["scale"].source == ANSWERS["scale"]
    assert cells["why"].source == "Because adding is easy."
    assert result.metadata_lost and result.matched["missing"] == 0
    assert "lost its grading metadata" in result.summary()
    assert_nothing_gained(result)


def test_metadata_lost_scratch_cells_added_and_moved():
    nb = strip(answered(), new_ids=True)
    k = at(answered(), "add")
    nb.cells.insert(k, new_code_cell("def add(a, b):\n    pass  # first try"))    # a draft above
    nb.cells.insert(k + 2, new_code_cell("print(add(2, 2))"))                      # a check below
    nb.cells.insert(1, new_markdown_cell("my notes for the exam"))
    scratch = nb.cells.pop(k + 3)                                                  # moved down
    nb.cells.insert(len(nb.cells) - 2, scratch)
    result = restore(nb)
    cells = graded_cells(result.notebook)
    assert cells["add"].source == ANSWERS["add"], "the draft was graded, not the answer"
    chosen = next(r for r in result.repairs if r.cell == "add")    # the draft is named, not hidden
    assert chosen.kind == structure.CHOSEN and chosen.others == (k + 2,)
    assert cells["scale"].source == ANSWERS["scale"]
    assert {"test_add", "test_add_values", "test_scale"} <= set(cells)
    assert result.matched["missing"] == 0
    assert_nothing_gained(result)


def test_copied_test_cell_the_first_is_graded():
    nb = answered()
    k = at(nb, "test_add")
    nb.cells.insert(k + 1, copy.deepcopy(nb.cells[k]))
    result = restore(nb)
    assert kinds(result) == [(structure.COPY, "test_add")]
    assert structure.grade_id(result.notebook.cells[k]) == "test_add"
    assert "nbgrader" not in result.notebook.cells[k + 1].metadata
    assert "a copy of test cell `test_add`" in result.summary()
    assert "copy of test cell" in result.notebook.cells[at(result.notebook, "add")].metadata[structure.MARK]["note"]
    assert_nothing_gained(result)


def test_copied_answer_cell_the_answered_copy_is_graded():
    nb = answered()
    k = at(nb, "add")
    nb.cells.insert(k + 1, copy.deepcopy(nb.cells[k]))
    result = restore(copy.deepcopy(nb))
    assert kinds(result) == [(structure.COPY, "add")] and result.notebook.cells[k].source == ANSWERS["add"]
    nb.cells[k].source = ADD_TEMPLATE          # the first copy left as released, the second answered
    result = restore(nb)
    assert graded_cells(result.notebook)["add"].source == ANSWERS["add"]
    assert_nothing_gained(result)


def test_a_copied_cell_reused_for_another_answer_is_found_by_what_it_defines():
    nb = answered()
    reused = copy.deepcopy(nb.cells[at(nb, "add")])        # copied, then rewritten as `scale`
    reused.source = ANSWERS["scale"]
    nb.cells[at(nb, "scale")] = reused
    result = restore(nb)
    cells = graded_cells(result.notebook)
    assert cells["add"].source == ANSWERS["add"] and cells["scale"].source == ANSWERS["scale"]
    assert (structure.FOUND_BY_CONTENT, "scale") in kinds(result)
    assert_nothing_gained(result)


def test_cells_claiming_grades_the_release_does_not_have_lose_them():
    nb = answered()
    nb.cells.append(nbgrader_cell("test", "my_bonus", "assert True", points=50))
    nb.cells.append(new_code_cell("x = 1", metadata={"nbgrader": {"grade": True, "points": 5}}))
    nb.cells[at(nb, "setup")].metadata["nbgrader"].update(grade=True, points=10)
    result = restore(nb)
    assert [k for k, _ in kinds(result)] == [structure.FOREIGN, structure.FOREIGN, structure.SETTINGS]
    assert "my_bonus, 50 points" in result.summary()
    assert all("nbgrader" not in c.metadata for c in result.notebook.cells[-2:])
    assert_nothing_gained(result)


def test_malformed_metadata_is_removed_not_a_crash():
    nb = answered()
    nb.cells.insert(1, new_code_cell("y = 2", metadata={"nbgrader": "not a dict"}))
    nb.cells.insert(1, new_code_cell("z = 3", metadata={"nbgrader": {"locked": True}}))   # no grade_id
    nb.cells.append(nbgrader_cell("test", "<img src=x onerror=alert(1)>", "pass", points="<b>9</b>"))
    result = restore(nb)
    assert "nbgrader" not in result.notebook.cells[1].metadata
    assert "nbgrader" not in result.notebook.cells[2].metadata
    assert "<" not in result.summary() and "<" not in json.dumps(result.record())   # shown as text only
    assert_nothing_gained(result)


def test_demoted_test_cells_cost_their_unit_only():
    nb = answered()
    nb.cells[at(nb, "test_add_values")].metadata["nbgrader"].update(grade=False, points=0)
    result = restore(nb)
    assert kinds(result) == [(structure.DEMOTED, "test_add_values")]
    marked = {structure.grade_id(c) for c in result.notebook.cells
              if c.metadata.get(structure.MARK, {}).get("zero")}
    assert marked == {"test_add", "test_add_values"}       # every test cell of `add`, no other
    assert_nothing_gained(result)
    graded, _ = structure.StructureVerdicts().preprocess(result.notebook, {})
    failed = {structure.grade_id(c) for c in graded.cells
              if any(o.get("output_type") == "error" for o in c.get("outputs", []))}
    assert failed == {"test_add", "test_add_values"}
    assert "ungraded cells" in graded.cells[at(graded, "test_add")].outputs[0].evalue


def test_inflated_points_restored_and_recorded():
    nb = answered()
    for cell in nb.cells:
        if structure.role(cell) == structure.TEST:
            cell.metadata["nbgrader"]["points"] = 100
    result = restore(nb)
    assert {k for k, _ in kinds(result)} == {structure.POINTS}
    assert "claimed other points (100)" in result.summary()
    assert_nothing_gained(result)


def test_moved_answer_without_metadata_is_found_by_its_names():
    nb = strip(answered())
    nb.cells.append(nb.cells.pop(at(answered(), "add")))
    result = restore(nb)
    assert graded_cells(result.notebook)["add"].source == ANSWERS["add"]
    assert (structure.MOVED, "add") in kinds(result)
    assert_nothing_gained(result)


def test_missing_cells_put_back_or_recorded():
    nb = answered()
    del nb.cells[at(nb, "test_scale")]           # after `scale`: nbgrader would put it back
    del nb.cells[at(nb, "scale")]                # ... but not after a missing answer
    result = restore(nb)
    assert (structure.PUT_BACK, "test_scale") in kinds(result)
    assert (structure.NOT_FOUND, "scale") in kinds(result)
    assert "the answer cell `scale` was not found" in result.summary()
    assert "scale" not in graded_cells(result.notebook)   # graded as missing, never guessed
    order = [structure.grade_id(c) for c in result.notebook.cells if structure.grade_id(c)]
    assert order.index("helpers") < order.index("test_scale") < order.index("why")
    nb = answered()
    del nb.cells[at(nb, "scale")]                # nothing else: left as it is (trusted grading
    result = restore(nb)                         # says the answer cell is missing)
    assert not result.changed and kinds(result) == [(structure.NOT_FOUND, "scale")]


def test_written_answer_found_by_place_names_the_other_candidates():
    nb = strip(answered(), new_ids=True)
    nb.cells.insert(at(answered(), "why"), new_markdown_cell("(see lecture 3)"))
    result = restore(nb)
    repair = next(r for r in result.repairs if r.cell == "why")
    assert repair.kind == structure.FOUND_BY_PLACE and len(repair.others) == 1
    assert "could also be it" in result.summary()


@pytest.mark.parametrize("notebook", [(a, n) for a in table.assignments(ROOT)
                                      for n in table.load(a).notebook_files], ids=lambda x: x[1])
def test_every_release_stripped_of_metadata_finds_every_answer(notebook):
    assignment, name = notebook
    unit_table = table.load(assignment)
    release = nbformat.read(str(ROOT / "release" / assignment / name), as_version=4)
    solutions = {u: s for u, s in sb.assignment_solutions(ROOT, assignment).items()
                 if unit_table.unit(u).kind != table.MANUAL}
    nb = strip(sb.build(ROOT / "release" / assignment / name, solutions, others=True), new_ids=True)
    result = structure.restore_structure(nb, release, {u.id: u.defines for u in unit_table.units})
    assert result.matched["missing"] == 0 and result.matched["moved"] == 0, result.matched
    got = [structure.grade_id(c) for c in result.notebook.cells if structure.grade_id(c)]
    assert got == [structure.grade_id(c) for c in release.cells if structure.grade_id(c)]
    for cell in result.notebook.cells:
        if structure.grade_id(cell) in solutions:
            assert cell.source == solutions[structure.grade_id(cell)], structure.grade_id(cell)


# ---------------------------------------------------------------------------------------------
# Intake records, without nbgrader
# ---------------------------------------------------------------------------------------------

def test_intake_records_and_shows_the_repair(tmp_path):
    root = tmp_path / "course"
    for folder in ("source", "release"):
        (root / folder / "tiny").mkdir(parents=True)
        nbformat.write(RELEASE, str(root / folder / "tiny" / "tiny.ipynb"))
    submission = root / "submitted" / "alice" / "tiny"
    submission.mkdir(parents=True)
    nbformat.write(strip(answered(), new_ids=True), str(submission / "tiny.ipynb"))
    record = intake.intake_all(root, "tiny")["alice"]["tiny.ipynb"]
    assert record["outcome"] == intake.STRUCTURE_REPAIRED
    assert "lost its grading metadata" in record["detail"]
    assert record["structure"]["metadata_lost"] and record["structure"]["matched"]["missing"] == 0
    graded = nbformat.read(str(submission / "tiny.ipynb"), as_version=4)
    assert graded.cells[0].metadata.get(intake.NOTE_MARK) and "lost its grading metadata" in graded.cells[0].source
    assert not any(c.metadata.get("nbgrader") for c in
                   nbformat.read(str(submission / "_original_tiny.ipynb"), as_version=4).cells)
    report = json.loads((root / "reports" / "tiny_intake.json").read_text())
    assert report["alice"]["tiny.ipynb"] == record
    assert intake.intake_all(root, "tiny")["alice"]["tiny.ipynb"] == record     # recorded once


# ---------------------------------------------------------------------------------------------
# Through plain nbgrader autograde
# ---------------------------------------------------------------------------------------------

A = "recurrent_cells"
NOTEBOOK = f"{A}.ipynb"
UNIT_TABLE = table.load(A)
AUTOGRADED = [u.id for u in UNIT_TABLE.autograded_units]


def jupytext_round_trip(nb, folder):
    """`nb` saved as a percent script by the jupytext command line with its metadata filtered out
    (`cell_metadata_filter=-all`: a common jupytext setting), and read back as a notebook."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "round_trip.ipynb"
    nbformat.write(nb, str(path))
    jupytext = [str(ROOT / ".venv" / "bin" / "jupytext")] if (ROOT / ".venv" / "bin" / "jupytext").exists() \
        else [sys.executable, "-m", "jupytext"]
    subprocess.run(jupytext + ["--to", "py:percent", "--opt", "cell_metadata_filter=-all",
                               "--opt", "notebook_metadata_filter=-all", str(path)], check=True,
                   capture_output=True)
    path.unlink()
    subprocess.run(jupytext + ["--to", "ipynb", str(folder / "round_trip.py")], check=True, capture_output=True)
    return nbformat.read(str(path), as_version=4)


def _cell(nb, gid):
    return next(c for c in nb.cells if sb.grade_id(c) == gid)


def _copy_after(gid):
    """Copy and paste of cell `gid` below itself, as JupyterLab does it: metadata and all, a new id."""
    def edit(nb):
        k = nb.cells.index(_cell(nb, gid))
        pasted = copy.deepcopy(nb.cells[k])
        pasted["id"] = f"pasted-{gid}"
        nb.cells.insert(k + 1, pasted)
        return nb
    return edit


def _strip(nb):
    for cell in nb.cells:
        cell.metadata = {}
    return nb


def _strip_and_reorder(nb):
    """Metadata gone, new cell ids (another tool), scratch cells added, one moved elsewhere."""
    k = nb.cells.index(_cell(nb, "lstm_cell"))
    nb.cells.insert(k + 1, new_code_cell("cell = LSTMCell(3, 4)\nprint(cell)"))
    nb.cells.insert(k, new_markdown_cell("Notes: gates in the order i, f, g, o."))
    nb.cells.insert(nb.cells.index(_cell(nb, "gru_cell")), nb.cells.pop(k + 2))
    for n, cell in enumerate(_strip(nb).cells):
        cell["id"] = f"other-tool-{n}"
    return nb


def _add_graded_cell(nb):
    nb.cells.append(new_code_cell("print('my own test')", metadata={"nbgrader": {
        "grade": True, "grade_id": "my_bonus_test", "points": 10, "locked": False,
        "solution": False, "schema_version": 3}}))
    return nb


def _demote_gru_tests(nb):
    for cell in nb.cells:
        if (sb.grade_id(cell) or "").startswith("test_gru_cell"):
            cell.metadata["nbgrader"]["grade"] = False
            cell.metadata["nbgrader"].pop("points", None)
    return nb


def _inflate_points(nb):
    for cell in nb.cells:
        if (sb.grade_id(cell) or "").startswith("test_"):
            cell.metadata["nbgrader"]["points"] = 100
    return nb


# student: (how the submission is edited, units that must lose points, what its record holds)
CASES = {
    "control": (None, (), None),
    "copied_test": (_copy_after("test_lstm_cell"), (), (structure.COPY, "test_lstm_cell")),
    "copied_answer": (_copy_after("lstm_cell"), (), (structure.COPY, "lstm_cell")),
    "metadata_stripped": (_strip, (), "lost its grading metadata"),
    "stripped_reordered": (_strip_and_reorder, (), "lost its grading metadata"),
    "added_graded_cell": (_add_graded_cell, (), (structure.FOREIGN, None)),
    "demoted_tests": (_demote_gru_tests, ("gru_cell",), (structure.DEMOTED, "test_gru_cell")),
    "inflated_points": (_inflate_points, (), (structure.POINTS, "test_lstm_cell")),
    "jupytext_round_trip": ("jupytext", (), "lost its grading metadata"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("structure")
    course, release, solutions = course_with_release(folder, A)
    answers = {u: solutions[u] for u in AUTOGRADED}
    for student, (edit, _, _) in CASES.items():
        nb = sb.build(release, answers)
        if edit == "jupytext":
            nb = jupytext_round_trip(nb, folder / "jupytext")
        elif edit is not None:
            nb = edit(nb)
        sb.write(nb, course / "submitted" / student / A / NOTEBOOK)
    autograde = nbgrader(course, "autograde", A, "--create", check=False)
    nbgrader(course, "generate_feedback", A, "--force")
    assert course_tool.report(A, root=course) == 0
    scores, _ = course_tool.score_table(A, root=course)
    with open(course / "reports" / f"{A}_scores.csv", newline="") as fh:
        outcomes = {row["student"]: row["outcome"] for row in csv.DictReader(fh)}
    return {"course": course, "autograde": autograde, "scores": scores, "outcomes": outcomes,
            "intake": json.loads((course / "reports" / f"{A}_intake.json").read_text()),
            "class_report": (course / "reports" / A / "index.html").read_text()}


def _feedback(graded, student):
    return (graded["course"] / "feedback" / student / A / f"{A}.html").read_text()


def _summary_row(page, unit):
    """The text of `unit`'s row in the feedback page's per-unit summary."""
    import html
    import re
    row = re.search(rf'<tr class="[^"]*" data-unit="{unit}"><td class="unit">.*?</td>(.*?)</tr>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", row.group(1))) if row else ""


def test_autograde_runs_clean(graded):
    assert graded["autograde"].returncode == 0, graded["autograde"].stdout[-3000:] + graded["autograde"].stderr[-3000:]


@pytest.mark.parametrize("student", CASES)
def test_structure_case_verdicts_and_record(graded, student):
    _, lost, expected = CASES[student]
    scores = graded["scores"][student]
    control = graded["scores"]["control"]
    assert set(scores) == set(control), "graded cells beyond the release's"
    for unit in AUTOGRADED:
        got, top = scores[unit]
        assert top == control[unit][1] == UNIT_TABLE.unit(unit).total_points
        if unit in lost:
            assert got == 0, f"{unit}: {got}/{top}"
        else:
            assert got == top, f"{unit}: {got}/{top}"
    record = graded["intake"][student][NOTEBOOK]
    if expected is None:
        assert record["outcome"] == "ok"
        return
    assert record["outcome"] == intake.STRUCTURE_REPAIRED
    assert graded["outcomes"][student].startswith(f"{intake.STRUCTURE_REPAIRED}: ")
    page = _feedback(graded, student)
    assert "Grading note" in page
    if isinstance(expected, str):
        assert expected in record["detail"] and record["structure"]["metadata_lost"]
        assert record["structure"]["matched"]["missing"] == 0
    else:
        kind, cell = expected
        assert any(r["kind"] == kind and r.get("cell") == cell for r in record["structure"]["repairs"]), record
    assert f"{student}</a></td><td>{NOTEBOOK}</td><td>intake: {intake.STRUCTURE_REPAIRED}" in graded["class_report"]


def test_feedback_summary_says_what_happened_to_the_unit(graded):
    copied = _summary_row(_feedback(graded, "copied_test"), "lstm_cell")
    assert "All checks passed" in copied and "copy of test cell `test_lstm_cell`" in copied
    demoted = _summary_row(_feedback(graded, "demoted_tests"), "gru_cell")
    assert demoted.split()[:3] == ["0", "/", "7"] and "ungraded cells" in demoted
    assert "ungraded" not in _summary_row(_feedback(graded, "demoted_tests"), "lstm_cell")


# ---------------------------------------------------------------------------------------------
# Through tools/course.py autograde (Dask), on an assignment of two notebooks
# ---------------------------------------------------------------------------------------------

def test_two_notebooks_through_course_autograde(tmp_path):
    assignment = "sequence_models"
    unit_table = table.load(assignment)
    course, _, _ = course_with_release(tmp_path, assignment)
    release = course / "release" / assignment
    solutions = {u: s for u, s in sb.assignment_solutions(course, assignment).items()
                 if unit_table.unit(u).kind != table.MANUAL}
    first, second = unit_table.notebook_files
    folder = course / "submitted" / "restructured" / assignment
    sb.write_submission(release, solutions, folder)
    nb = nbformat.read(str(folder / first), as_version=4)
    test_id = next(sb.grade_id(c) for c in nb.cells if structure.role(c) == structure.TEST)
    sb.write(_copy_after(test_id)(_add_graded_cell(nb)), folder / first)
    sb.write(_strip(nbformat.read(str(folder / second), as_version=4)), folder / second)
    assert course_tool.autograde(assignment, jobs=2, root=course) == 0
    scores, _ = course_tool.score_table(assignment, root=course)
    for unit in unit_table.autograded_units:
        got, top = scores["restructured"][unit.id]
        assert got == top == unit.total_points, f"{unit.id}: {got}/{top}"
    record = json.loads((course / "reports" / f"{assignment}_intake.json").read_text())["restructured"]
    assert {r["kind"] for r in record[first]["structure"]["repairs"]} == {structure.COPY, structure.FOREIGN}
    assert record[second]["structure"]["metadata_lost"]
    assert all(record[name]["outcome"] == intake.STRUCTURE_REPAIRED for name in (first, second))
