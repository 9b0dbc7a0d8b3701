"""Each assignment's grader through the real nbgrader pipeline (SPEC 6), on a throwaway course.

One run: generate_assignment, then autograde of the solution, the blank release and one
submission per corpus row (units are isolated, so row k carries the k-th corpus variant of every
unit), then generate_feedback. Asserted:
- the committed release is what generate_assignment produces (not stale);
- the solution scores full points, the blank release 0, and the run does not abort;
- every wrong corpus file loses points on its own unit and every correct one keeps them all,
  whatever the other units of its submission carry (so no unit's points depend on another's);
- feedback shows no hidden-test source, grader path, traceback or answer key;
- the class report (grader_tests/framework/reports/class_report.py) and the LMS export agree with the
  gradebook, and name a diagnosis for every unit that lost points;
- the TA's workflow in a real headless browser: the formgrader shows a written answer with its
  model answer and rubric, a score and a comment entered there reach the gradebook, the class
  report and the student's feedback page (whose per-unit summary leaks nothing).
"""
import csv
import json
import os
import pathlib
import re
import subprocess
import sys
import time

import pytest

from conftest import ROOT, free_port, http_ok, nbgrader, wait_for

sys.path.insert(0, str(ROOT / "tools"))
import course as course_tool  # noqa: E402
from grader_tests.framework.pipeline import submission_builder as sb  # noqa: E402
from grader_tests.framework.contract import table  # noqa: E402

ASSIGNMENTS = table.assignments(ROOT)


WRITTEN_ANSWER = "A written answer in the student's own words, for a TA to grade."


def written_units(assignment):
    """The units a TA grades (written answers)."""
    return [u.id for u in table.load(assignment).units if u.kind == table.MANUAL]


def unit_points(assignment):
    """{unit: points} for the units the corpus covers."""
    return {u.id: u.total_points for u in sb.corpus_units(assignment)}


def other_autograded(assignment):
    """Autograded units the corpus does not cover (value answers): always answered right."""
    covered = unit_points(assignment)
    return [u.id for u in table.load(assignment).autograded_units if u.id not in covered]


def corpus_rows(assignment):
    units = list(unit_points(assignment))
    files = {u: sb.corpus_files(assignment, u) for u in units}
    if not any(files.values()):
        return []
    n = max(len(v) for v in files.values())
    return [{u: files[u][k] if k < len(files[u]) else None for u in units} for k in range(n)]


def notebook_name(assignment):
    return table.load(assignment).notebook_files[0]


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory):
    from conftest import make_course
    assignment = request.param
    code_units = list(unit_points(assignment))
    course = make_course(tmp_path_factory.mktemp(assignment), assignment)
    nbgrader(course, "generate_assignment", assignment, "--force")
    release = course / "release" / assignment
    every = sb.assignment_solutions(course, assignment)
    # code answers only: the written answers' model answers would (rightly) trip the leak check
    solution = {u: every[u] for u in code_units + other_autograded(assignment)}
    files = sb.example_files(assignment, "solution")   # e.g. the challenge's checkpoint
    expected = {"solution": {u: True for u in code_units}, "blank": {u: False for u in code_units}}
    written = {unit: WRITTEN_ANSWER for unit in written_units(assignment)}
    # the solution student also answers the written questions (a TA grades one in the browser test)
    sb.write_submission(release, {**solution, **written}, course / "submitted" / "solution" / assignment, files)
    sb.write_submission(release, {}, course / "submitted" / "blank" / assignment)
    rows = corpus_rows(assignment)
    for k, row in enumerate(rows):
        answers, verdicts = dict(solution), {}
        for unit, entry in row.items():
            if entry is None:
                verdicts[unit] = True
                continue
            path, verdict, _ = entry
            answers[unit] = path.read_text()
            verdicts[unit] = verdict == "correct"
        student = f"corpus{k:02d}"
        expected[student] = verdicts
        sb.write_submission(release, answers, course / "submitted" / student / assignment, files)
    status = course_tool.autograde(assignment, jobs=2, root=course)
    nbgrader(course, "generate_feedback", assignment, "--force")
    table, _ = course_tool.score_table(assignment, root=course)
    return {"assignment": assignment, "course": course, "status": status, "table": table,
            "expected": expected, "rows": rows, "points": unit_points(assignment)}


def test_committed_release_is_not_stale(graded):
    a = graded["assignment"]
    names = lambda folder: sorted(p.name for p in folder.iterdir() if p.name != "__pycache__")
    assert names(graded["course"] / "release" / a) == names(ROOT / "release" / a), \
        "release/ is stale (files added or removed): run `make release` and commit it"
    for path in sorted((ROOT / "release" / a).iterdir()):
        fresh = graded["course"] / "release" / a / path.name
        assert fresh.exists(), f"release/{a}/{path.name} is not generated any more"
        if path.suffix == ".ipynb":
            assert json.loads(fresh.read_text()) == json.loads(path.read_text()), \
                "release/ is stale: run `make release` and commit it"
        else:
            assert fresh.read_bytes() == path.read_bytes(), f"release/{a}/{path.name} is stale"


def test_run_completes(graded):
    assert graded["status"] == 0
    assert set(graded["table"]) == set(graded["expected"])


def test_solution_full_and_blank_zero(graded):
    table = graded["table"]
    for unit in list(graded["points"]) + other_autograded(graded["assignment"]):
        got, top = table["solution"][unit]
        assert got == top > 0, f"solution loses points on {unit}"
        assert table["blank"][unit][0] == 0, f"blank release scores on {unit}"


def test_corpus_verdicts(graded):
    table, expected = graded["table"], graded["expected"]
    failures, summary = [], {u: {"wrong caught": 0, "wrong": 0, "correct kept": 0, "correct": 0}
                             for u in graded["points"]}
    for k, row in enumerate(graded["rows"]):
        student = f"corpus{k:02d}"
        for unit in graded["points"]:
            got, top = table[student][unit]
            assert top == graded["points"][unit]
            if row[unit] is None:
                if got != top:
                    failures.append(f"{student} {unit}: the solution lost points ({got}/{top}) "
                                    "next to other units' corpus variants")
                continue
            name = row[unit][0].name
            if expected[student][unit]:
                summary[unit]["correct"] += 1
                summary[unit]["correct kept"] += got == top
                if got != top:
                    failures.append(f"{unit}/{name}: correct but scored {got}/{top}")
            else:
                summary[unit]["wrong"] += 1
                summary[unit]["wrong caught"] += got < top
                if got >= top:
                    failures.append(f"{unit}/{name}: wrong but scored {got}/{top}")
        for unit in other_autograded(graded["assignment"]):
            got, top = table[student][unit]
            assert got == top, f"{student}: unrelated unit {unit} lost points"
    print(f"\n{graded['assignment']} corpus through nbgrader:", json.dumps(summary, indent=1))
    assert not failures, "\n".join(failures)


FORBIDDEN_IN_FEEDBACK = [
    "BEGIN HIDDEN TESTS", "from grader_tests", "_grader_recording", "def judge_aspect",
    "Traceback (most recent call last)", "grader_tests/", "reference/", "BEGIN SOLUTION",
    "Model answer", "Rubric", "site-packages",
]


def solution_lines(assignment):
    """Distinctive lines of the instructor's code solutions: none may reach a release or feedback."""
    lines, given = set(), set()
    for name in table.load(assignment).notebook_files:
        source = json.loads((ROOT / "source" / assignment / name).read_text())
        for cell in source["cells"]:
            text = "".join(cell["source"])
            blocks = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, re.S)
            lines |= {ln.strip() for b in blocks if cell["cell_type"] == "code"
                      for ln in b.splitlines() if len(ln.strip()) >= 30}
            outside = re.sub(r"### BEGIN SOLUTION\n.*?### END SOLUTION", "", text, flags=re.S)
            given |= {ln.strip() for ln in outside.splitlines()}
    return lines - given   # a line the given code holds too gives nothing away


def test_feedback_hides_grader(graded):
    course, a = graded["course"], graded["assignment"]
    reports = sorted((course / "feedback").glob(f"*/{a}/*.html"))
    assert len(reports) == len(graded["expected"]) * len(table.load(a).notebook_files)
    solution_files = [f"{a}/{n}" for n in ("judge.py", "probe.py", "units.py", "challenge.py")] + [
        f"{pathlib.Path(n).stem}.py" for n in table.load(a).notebook_files]
    for report in reports:
        text = report.read_text()
        # the blank student's feedback shows the release's cells: no solution line among them
        # (other students' feedback shows their own code, which may share lines with it)
        text_needles = sorted(solution_lines(a)) if report.parent.parent.name == "blank" else []
        for needle in FORBIDDEN_IN_FEEDBACK + solution_files + text_needles + [str(course), str(ROOT)]:
            assert needle not in text, f"{report.parent.parent.name}'s feedback shows {needle!r}"
    # the page opens with the per-unit summary; a failing hidden test explains itself in a
    # sentence or two, shown once (no kind of failure prepended to it)
    text = (course / "feedback" / "blank" / a / notebook_name(a).replace(".ipynb", ".html")).read_text()
    assert 'id="unit-summary"' in text and text.index('id="unit-summary"') < text.index('class="panel panel-primary nbgrader_cell"')
    assert "not been answered yet" in text
    assert "GradingFailure" not in text and "Hidden test failed: " not in text


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_hygiene(assignment):
    for name in table.load(assignment).notebook_files:
        nb = json.loads((ROOT / "release" / assignment / name).read_text())
        text = "\n".join("".join(c["source"]) for c in nb["cells"]) + json.dumps(nb["metadata"])
        needles = ["BEGIN SOLUTION", "BEGIN HIDDEN", "Model answer", "Rubric", "from grader_tests",
                   "reference/", "from reference"] + sorted(solution_lines(assignment))
        for needle in needles:
            assert needle not in text, f"release notebook {name} contains {needle!r}"
        for cell in nb["cells"]:
            assert not cell.get("outputs"), "release notebook carries outputs"
    for path in (ROOT / "release" / assignment).rglob("*"):   # the paired script holds solutions
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".txt"):
            text = path.read_text(errors="replace")
            for needle in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Model answer"):
                assert needle not in text, f"release/{assignment}/{path.name} contains {needle!r}"


# ---------------------------------------------------------------------------------------------
# The class report and the TA's workflow
# ---------------------------------------------------------------------------------------------

from grader_tests.framework.reports import class_report  # noqa: E402

_BARE_NUMBER = re.compile(r"(?<![A-Za-z_\d.])\d")


def _gradebook_scores(course, assignment):
    """{student: {unit: (score or None, max)}}, read fresh from the gradebook."""
    return course_tool.score_table(assignment, root=course)[0]


def _points_text(got, top):
    fmt = class_report.format_points
    return f"{'awaiting grade' if got is None else fmt(got)} / {fmt(top)}"


def test_class_report_matches_gradebook(graded):
    course, a = graded["course"], graded["assignment"]
    # a per-notebook run record (written by the grading run when it records limits) is read
    stem = pathlib.Path(notebook_name(a)).stem
    record = course / "reports" / a / "runs" / "corpus00" / f"{stem}.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"student": "corpus00", "assignment": a, "notebook": stem,
                                  "wall_seconds": 9999.5, "mode": "test", "limits_hit": ["memory"],
                                  "usage": {}}))
    # an intake outcome (intake.py records it as autograde takes the submissions in) is listed
    intake_file = course / "reports" / f"{a}_intake.json"
    intake = json.loads(intake_file.read_text())
    intake["corpus01"][notebook_name(a)] = {"outcome": "renamed",
                                            "detail": f"submitted as '{stem} (1).ipynb'"}
    intake_file.write_text(json.dumps(intake))
    assert course_tool.report(a, root=course) == 0
    page = course / "reports" / a / "index.html"
    text = page.read_text()
    assert "<script src" not in text and "http://" not in text and "https://" not in text  # offline
    assert (course / "reports" / f"{a}_scores.csv").exists() and (course / "reports" / f"{a}_scores.md").exists()
    scores = _gradebook_scores(course, a)
    units = [u.id for u in table.load(a).units]
    with open(course / "reports" / a / class_report.LMS_EXPORT, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["student_id"] for r in rows} == set(scores)
    for row in rows:
        mine = scores[row["student_id"]]
        for unit in units:
            got = mine[unit][0]
            cell = row[unit]
            assert cell == ("" if got is None else class_report.format_points(got)), f"{row['student_id']} {unit}: {cell} vs {got}"
        graded = sum(mine[u][0] for u in units if mine[u][0] is not None)
        assert row["points"] == class_report.format_points(graded)
        if any(mine[u][0] is None for u in units):     # pending points: marked, no total yet
            assert float(row["pending"]) > 0 and row["total"] == "" and row["status"].startswith("pending")
        else:
            penalty = float(row.get("late penalty") or 0)
            assert row["total"] == class_report.format_points(max(graded - penalty, 0.0))
    # every autograded unit that lost points names a diagnosis; one with full points none
    data = class_report.collect(course, a)
    for student, row in scores.items():
        for unit in table.load(a).autograded_units:
            got, top = row[unit.id]
            found = data.submissions[student].units[unit.id].diagnoses
            assert bool(found) == (got < top), f"{student} {unit.id}: {got}/{top} but diagnoses {found}"
    assert f"submitted as &#39;{stem} (1).ipynb&#39;" in text and "intake: renamed" in text
    slowest = data.submissions["corpus00"]
    assert slowest.seconds >= 9999.5 and slowest.timing_source == "run record"
    assert ("memory" in slowest.limits_hit and
            any(kind == "resource limit" for _, kind, _ in slowest.run_events))
    assert text.index("<td><a href=\"#student-corpus00\">corpus00</a></td><td class=\"num\">") < \
        text.index("<td><a href=\"#student-blank\">blank</a></td><td class=\"num\">")
    table_by_unit = class_report.diagnosis_table(data)
    for unit, groups in table_by_unit.items():
        for group in groups:
            assert group["key"] != class_report.NO_MESSAGE, f"{unit}: {group['students']} lost points silently"
            assert not _BARE_NUMBER.search(group["key"]), f"{unit}: a number in the key {group['key']!r}"
            assert group["students"] and len(group["students"]) == len(set(group["students"]))
        counts = [len(g["students"]) for g in groups]
        assert counts == sorted(counts, reverse=True)
    print(f"\n{a} diagnoses over the corpus class:")
    for unit, groups in table_by_unit.items():
        for g in groups:
            print(f"  {unit:22s} {len(g['students']):3d}  {g['label'][:110]}")


def _images_load(driver):
    """Every <img> of the page decoded (naturalWidth > 0): no broken image."""
    broken = driver.execute_script(
        "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.alt || i.src.slice(0, 60));")
    assert not broken, f"broken images: {broken}"
    return driver.execute_script("return document.images.length;")


def _screenshot(driver, name, whole_page=True):
    """With COURSE_SCREENSHOTS=<folder>: save the page (or the visible part) as <folder>/<name>."""
    folder = os.environ.get("COURSE_SCREENSHOTS")
    if folder:
        pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
        height = driver.execute_script("return document.body.scrollHeight;")
        if whole_page:
            driver.set_window_size(1300, min(height + 50, 8000))
        driver.save_screenshot(str(pathlib.Path(folder) / name))
        driver.set_window_size(1300, 1000)


# One assignment suffices for the browser (the formgrader pages do not depend on the assignment;
# each assignment's report and feedback are checked against the gradebook without a browser).
@pytest.mark.parametrize("graded", ["recurrent_cells"], indirect=True)
def test_ta_workflow_in_browser(graded, browser):
    """A TA grades one written answer in the formgrader (real Jupyter server, headless Chromium);
    the gradebook, the class report and the student's feedback page then show it."""
    from nbgrader.api import Gradebook
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    start = time.perf_counter()
    course, a = graded["course"], graded["assignment"]
    assignment_table = table.load(a)
    unit = next(u for u in assignment_table.units if u.kind == table.MANUAL)
    notebook = pathlib.Path(assignment_table.notebook_of(unit)).stem
    student, score, comment = "solution", unit.total_points - 1, "Good start: name the mechanism too."
    db_url = course_tool.gradebook_url(course)
    with Gradebook(db_url) as gb:
        submission_id = gb.find_submission_notebook(notebook, a, student).id
        assert gb.find_grade(unit.id, notebook, a, student).needs_manual_grade
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    server = subprocess.Popen(
        [str(pathlib.Path(sys.executable).parent / "jupyter"), "server", f"--port={port}",
         "--no-browser", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
         "--ServerApp.password=", "--allow-root", f"--ServerApp.root_dir={course}"],
        cwd=course, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: http_ok(f"{base}/formgrader/manage_assignments"), 90, "the formgrader")
        browser.get(f"{base}/formgrader/submissions/{submission_id}/")
        score_box = wait_for(lambda: browser.find_elements(By.ID, unit.id), 30, "the score box")[0]
        # the written answer, then (graders only) the model answer and the rubric
        boxes = browser.find_elements(By.CSS_SELECTOR, "div.model-answer")
        assert boxes and any("Model answer" in b.text and "Rubric" in b.text for b in boxes), \
            "the grading page shows no model answer and rubric"
        assert WRITTEN_ANSWER in browser.page_source
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", boxes[0])
        _screenshot(browser, f"{a}_formgrader.png", whole_page=False)
        score_box.clear()
        score_box.send_keys(f"{score:g}", Keys.TAB)
        comment_box = browser.find_element(By.ID, f"{unit.id}-comment")
        comment_box.clear()
        comment_box.send_keys(comment, Keys.TAB)

        def saved():
            with Gradebook(db_url) as gb:
                grade = gb.find_grade(unit.id, notebook, a, student)
                text = gb.find_comment(unit.id, notebook, a, student).manual_comment
                return grade.manual_score == score and text == comment
        wait_for(saved, 30, "the formgrader to save the score and the comment")
    finally:
        server.terminate()
        server.wait(timeout=30)
    # the class report reflects the TA's grade, and its numbers are the gradebook's
    assert course_tool.report(a, root=course) == 0
    scores = _gradebook_scores(course, a)
    assert scores[student][unit.id] == (score, unit.total_points)
    browser.get((course / "reports" / a / "index.html").as_uri())
    assert _images_load(browser) >= 1
    row = browser.find_element(By.CSS_SELECTOR, f"tr.manual[data-unit='{unit.id}']")
    assert int(row.find_element(By.CSS_SELECTOR, "td.graded").text) >= 1
    cells = browser.find_elements(By.CSS_SELECTOR, "td.points")
    assert len(cells) == len(scores) * len(assignment_table.units)
    for cell in cells:
        got, top = scores[cell.get_attribute("data-student")][cell.get_attribute("data-unit")]
        assert cell.text == _points_text(got, top), (cell.get_attribute("data-student"), cell.text, got)
    _screenshot(browser, f"{a}_class_report.png")
    # the student's feedback page: the TA's points in the summary, the comment, nothing hidden
    nbgrader(course, "generate_feedback", a, "--student", student, "--force")
    page = course / "feedback" / student / a / f"{notebook}.html"
    browser.get(page.as_uri())
    _images_load(browser)
    summary = browser.find_element(By.ID, "unit-summary")
    rows = {r.find_elements(By.TAG_NAME, "td")[0].text: r.find_elements(By.TAG_NAME, "td")
            for r in summary.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert rows[unit.id][1].text == _points_text(score, unit.total_points)
    assert "Graded by a TA" in rows[unit.id][2].text and comment in browser.page_source
    for name, cells in rows.items():
        got, top = scores[student][name]
        assert cells[1].text == (f"awaiting a TA's grade ({class_report.format_points(top)} points)"
                                 if got is None else _points_text(got, top)), name
    header = browser.find_element(By.ID, "score-so-far").text
    with Gradebook(db_url) as gb:
        nb_score = gb.find_submission_notebook(notebook, a, student).score
    assert f"Points so far: {class_report.format_points(nb_score)} /" in header, header
    for needle in FORBIDDEN_IN_FEEDBACK + [str(course), str(ROOT)]:
        assert needle not in summary.get_attribute("outerHTML")
    _screenshot(browser, f"{a}_feedback_{student}.png")
    print(f"\n{a}: TA workflow in the browser took {time.perf_counter() - start:.1f} s")
