"""What a student and an instructor see after grading, through the real pipeline on one
throwaway class of `convnets` (two notebooks, a hint holding "//", math in the text, a written
answer) and in a real headless browser:

- the feedback page (grader_tests/framework/reports/feedback_page.py and its template): the
  points so far and what is pending come first, above any per-cell list; a written answer
  awaiting a TA reads "awaiting a TA's grade" in the summary and at its cell, never 0; the hint
  "C // G" reaches the page whole (no "<path>"); messages wrap; math is typeset by the inlined
  MathJax with no request leaving the page;
- the class report and the course index: the sortable student x unit table (sorted by a click),
  pending points marked, and the grade files for Canvas and Moodle from the course's roster.

One autograde run serves every check (two students, both notebooks).
"""
import csv
import os
import pathlib
import sys
import time

import pytest

from conftest import ROOT, make_course, nbgrader, wait_for
from grader_tests.framework.contract import table
from grader_tests.framework.pipeline import submission_builder as sb

sys.path.insert(0, str(ROOT / "tools"))
import course as course_tool  # noqa: E402

ASSIGNMENT = "convnets"
HINT = "Groups are contiguous blocks of C // G channels"
WRITTEN = "Three convolution blocks with batch normalisation; Adam for eight epochs."


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """chloe: every answer right but spatial_groupnorm (its groups interleaved: the hint with
    "//"), the written answer given (awaiting a TA); blank: the release as downloaded."""
    start = time.perf_counter()
    course = make_course(tmp_path_factory.mktemp("views"), ASSIGNMENT)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = course / "release" / ASSIGNMENT
    answers = sb.assignment_solutions(course, ASSIGNMENT)
    answers["spatial_groupnorm"] = (sb.corpus_dir(ASSIGNMENT, "spatial_groupnorm")
                                    / "wrong_interleaved_groups.py").read_text()
    written = [u.id for u in table.load(ASSIGNMENT).units if u.kind == table.MANUAL]
    answers.update({unit: WRITTEN for unit in written})
    sb.write_submission(release, answers, course / "submitted" / "chloe" / ASSIGNMENT,
                        sb.example_files(ASSIGNMENT, "solution"))
    sb.write_submission(release, {}, course / "submitted" / "blank" / ASSIGNMENT)
    (course / "roster.csv").write_text(
        "id,first_name,last_name,email,lms_user_id,sis_login_id,section\n"
        "chloe,Chloe,Dubois,chloe@example.edu,20001,cdubois,Lab B\n"
        "blank,Blair,Nakamura,blair@example.edu,20002,bnakamura,Lab A\n")
    nbgrader(course, "db", "student", "import", "roster.csv")
    assert course_tool.autograde(ASSIGNMENT, jobs=2, root=course, progress=False) == 0
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    assert course_tool.report(ASSIGNMENT, root=course) == 0
    from grader_tests.framework.reports import class_report
    class_report.write_index(course)
    print(f"\n{ASSIGNMENT}: graded two students, feedback and reports in {time.perf_counter() - start:.1f} s")
    return course


def page(course, student, notebook):
    return course / "feedback" / student / ASSIGNMENT / f"{notebook}.html"


def _screenshot(driver, name, height=None):
    """With COURSE_SCREENSHOTS=<folder>: the page's top (or `height` pixels) as <folder>/<name>."""
    folder = os.environ.get("COURSE_SCREENSHOTS")
    if folder:
        pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
        if height:
            driver.set_window_size(1300, height)
        driver.save_screenshot(str(pathlib.Path(folder) / name))
        driver.set_window_size(1300, 1000)


def _offline(driver):
    """Every script, stylesheet and resource the page loaded came with it (no http(s) request)."""
    urls = driver.execute_script(
        "return Array.from(document.querySelectorAll('script[src], link[href], img[src]'))"
        ".map(e => e.src || e.href).concat(performance.getEntriesByType('resource').map(e => e.name));")
    return [u for u in urls if u.startswith(("http:", "https:"))]


def test_feedback_page_leads_with_the_summary(graded, browser):
    from selenium.webdriver.common.by import By
    numpy_page = page(graded, "chloe", "convnets_numpy")
    text = numpy_page.read_text()
    assert "cdnjs" not in text and "<script src" not in text and "Score: 0.0" not in text
    browser.get(numpy_page.as_uri())
    summary = browser.find_element(By.ID, "feedback-summary")
    cells = browser.find_elements(By.CSS_SELECTOR, "div.nbgrader_cell")
    assert cells and summary.location["y"] + summary.size["height"] <= min(c.location["y"] for c in cells)
    assert not browser.find_elements(By.ID, "toc"), "nbgrader's per-cell list is not on the page"
    rows = {r.get_attribute("data-unit"): r for r in browser.find_elements(By.CSS_SELECTOR, "#unit-summary tbody tr")}
    units = [u.id for u in table.load(ASSIGNMENT).units if table.load(ASSIGNMENT).notebook_of(u) == "convnets_numpy.ipynb"]
    assert list(rows) == units
    diagnosis = rows["spatial_groupnorm"].find_element(By.CSS_SELECTOR, "td.diagnosis")
    assert HINT in diagnosis.text and "<path>" not in diagnosis.text
    link = diagnosis.find_element(By.TAG_NAME, "a").get_attribute("href")
    assert browser.find_element(By.ID, link.split("#")[1])            # the link goes to the failed check
    for node in browser.find_elements(By.XPATH, "//*[contains(text(), '//')]"):
        assert "<path>" not in node.text, node.text
    # every message wraps inside its cell: no output scrolls sideways
    errors = browser.find_elements(By.CSS_SELECTOR, "div.output_error pre")
    assert any(HINT in e.text for e in errors)
    for pre in errors:
        assert pre.value_of_css_property("white-space") == "pre-wrap"
        assert browser.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth + 1;", pre)
    # math typeset by the inlined MathJax; nothing fetched from a network
    wait_for(lambda: browser.execute_script("return document.querySelectorAll('mjx-container svg').length;"),
          30, "MathJax to typeset the page")
    assert _offline(browser) == []
    _screenshot(browser, "feedback_chloe_convnets_numpy_top.png")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'});",
                           browser.find_element(By.ID, link.split("#")[1]))
    _screenshot(browser, "feedback_chloe_convnets_numpy_failing_unit.png")

    # the written answer awaiting a TA: "awaiting a TA's grade" wherever its points appear
    browser.get(page(graded, "chloe", "convnets_pytorch").as_uri())
    written = next(u for u in table.load(ASSIGNMENT).units if u.kind == table.MANUAL)
    score = browser.find_element(By.ID, "score-so-far").text
    assert f"{written.points:g} awaiting a TA's grade" in score and "points graded" in score, score
    row = browser.find_element(By.CSS_SELECTOR, f"#unit-summary tr[data-unit='{written.id}']")
    assert row.find_element(By.CSS_SELECTOR, "td.points").text == f"awaiting a TA's grade ({written.points:g} points)"
    heading = browser.find_element(By.CSS_SELECTOR, f"div#{written.id} .panel-heading").text
    assert "awaiting a TA's grade" in heading and "Score" not in heading, heading
    assert "0 / 3" not in row.text and "Score: 0 / 3" not in browser.find_element(By.TAG_NAME, "body").text
    assert _offline(browser) == []
    _screenshot(browser, "feedback_chloe_convnets_pytorch_top.png")


def test_class_report_index_and_grade_files(graded, browser):
    from selenium.webdriver.common.by import By
    from grader_tests.framework.reports import grade_files
    folder = graded / "reports" / ASSIGNMENT
    top = sum(u.total_points for u in table.load(ASSIGNMENT).units)
    written = sum(u.total_points for u in table.load(ASSIGNMENT).units if u.kind == table.MANUAL)
    scores, _ = course_tool.score_table(ASSIGNMENT, root=graded)
    chloe_so_far = sum(got for got, _ in scores["chloe"].values() if got is not None)

    with open(folder / grade_files.CANVAS_FILE, newline="") as fh:
        canvas = list(csv.reader(fh))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert canvas[1] == ["Points Possible", "", "", "", "", f"{top:g}"]
    rows = {r[2]: r for r in canvas[2:]}
    assert rows["chloe"] == ["Dubois, Chloe", "20001", "chloe", "cdubois", "Lab B", ""]   # written answer pending
    assert rows["blank"] == ["Nakamura, Blair", "20002", "blank", "bnakamura", "Lab A", "0"]
    with open(folder / grade_files.MOODLE_FILE, newline="") as fh:
        moodle = list(csv.reader(fh))
    assert moodle[0] == grade_files.MOODLE_USER_COLUMNS + [ASSIGNMENT, "Feedback"]
    chloe = next(r for r in moodle if r[2] == "chloe")
    assert chloe[0] == "chloe@example.edu" and chloe[5] == "" and f"{written:g} points" in chloe[6]
    with open(graded / "reports" / f"{ASSIGNMENT}_scores.csv", newline="") as fh:
        scores_csv = list(csv.DictReader(fh))
    for row in scores_csv:
        for name, cell in row.items():
            assert "/" not in (cell or "") or name == "outcome", (name, cell)
    assert float(next(r for r in scores_csv if r["student"] == "chloe")["graded total"]) == chloe_so_far

    browser.get((folder / "index.html").as_uri())
    assert _offline(browser) == []
    table_element = browser.find_element(By.ID, "student-table")
    assert "pending" in [c.text for c in table_element.find_elements(By.CSS_SELECTOR, "td.pending")]
    assert table_element.size["width"] <= browser.find_element(By.CSS_SELECTOR, "#student-table").find_element(
        By.XPATH, "..").size["width"] + 1, "the table overflows its card"
    totals = lambda: [r.get_attribute("data-student") for r in table_element.find_elements(By.CSS_SELECTOR, "tbody tr")]  # noqa: E731
    heading = table_element.find_elements(By.CSS_SELECTOR, "thead th")[-1]
    heading.click()
    first = totals()
    heading.click()
    assert first == list(reversed(totals())) and set(first) == {"chloe", "blank"}
    assert browser.find_element(By.ID, "total-statistics").text.count("/") >= 2
    assert browser.find_elements(By.CSS_SELECTOR, "img[alt='grading time per submission']")
    _screenshot(browser, "class_report_students.png")
    browser.get((graded / "reports" / "index.html").as_uri())
    assert browser.find_element(By.CSS_SELECTOR, f"#assignment-list a[href='{ASSIGNMENT}/index.html']")
    names = [r.find_elements(By.TAG_NAME, "td")[1].text for r in browser.find_elements(By.CSS_SELECTOR, "#course-table tbody tr")]
    assert names == ["Chloe Dubois", "Blair Nakamura"]
    assert "pending" in browser.find_element(By.ID, "course-table").text
    _screenshot(browser, "course_index.png")
