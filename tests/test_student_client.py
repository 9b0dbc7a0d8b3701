"""The student's side of a term in the real client (SPEC 12, 13): JupyterLab with nbgrader's
Assignments tab (its labextension and server extension, installed in the virtualenv), in a
headless Chromium. The student fetches the assignment, answers one unit in the notebook editor,
saves and submits; the instructor's `tools/course.py serve --once` grades it; the student
fetches the feedback, follows the tab's "view feedback" link and opens the page.

With COURSE_SCREENSHOTS=<folder> each step is saved as a PNG there."""
import datetime
import json
import os
import pathlib
import subprocess
import sys
import time

from conftest import free_port, http_ok, wait_for
from term_helpers import ASSIGNMENT, COURSE_ID, course_command, term_course, text_of

STUDENT = "stu"
# One line (the editor indents new lines itself): the unit's contract, every draw from rng in
# the reference's order.
ANSWER = ('def init_weights(L_in, L_hid, rng): return {k: rng.uniform(-(6.0 / (L_in + L_hid)) ** 0.5, '
          '(6.0 / (L_in + L_hid)) ** 0.5, size=s) for k, s in (("W1", (L_in, L_hid)), ("b1", (L_hid,)), '
          '("W2", (L_hid, L_in)), ("b2", (L_in,)))}')


def _shot(driver, name):
    folder = os.environ.get("COURSE_SCREENSHOTS")
    if folder:
        pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(pathlib.Path(folder) / name))


def student_home(folder, exchange):
    """The student's home: their nbgrader configuration (course, exchange, their id) and
    JupyterLab settings (no news prompt)."""
    home = pathlib.Path(folder) / "student_home"
    home.mkdir()
    (home / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.student_id = {STUDENT!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.Exchange.cache = {str(home / '.nbgrader_cache')!r}\n")
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    return home


def test_student_submits_and_reads_feedback_in_jupyterlab(tmp_path, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    start = time.perf_counter()
    due = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(days=7)
    course, exchange, _, _ = term_course(
        tmp_path, f"[assignments.{ASSIGNMENT}]\ndue = {due.isoformat()}\n", [STUDENT])
    home = student_home(tmp_path, exchange)
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "COURSE_ROOT", "COURSE_EXCHANGE") and not k.startswith("JPY_")}
    env["HOME"] = str(home)
    lab = subprocess.Popen(
        [str(pathlib.Path(sys.executable).parent / "jupyter"), "lab", f"--port={port}", "--no-browser",
         "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=", "--allow-root",
         f"--ServerApp.root_dir={home}"],
        cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: http_ok(f"{base}/lab"), 90, "JupyterLab")
        browser.get(f"{base}/lab")
        menu = wait_for(lambda: [e for e in browser.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item")
                              if e.text == "Nbgrader"], 60, "the Nbgrader menu")[0]
        menu.click()
        wait_for(lambda: [e for e in browser.find_elements(By.CSS_SELECTOR, ".lm-Menu-item")
                       if "Assignment List" in e.text], 10, "Assignment List")[0].click()

        # fetch the released assignment
        fetch = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#released_assignments_list .item_status button"),
                      60, "the released assignment")[0]
        assert ASSIGNMENT in browser.find_element(By.ID, "released_assignments_list").text
        _shot(browser, "1_assignments_released.png")
        fetch.click()
        link = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#fetched_assignments_list a.assignment-notebooks-link"),
                     60, "the downloaded assignment")[0]
        assert (home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()

        # open the notebook from the tab, answer one unit, save
        link.click()
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#fetched_assignments_list .nested_list_item a"),
              10, "the notebook link")[0].click()
        cell = wait_for(lambda: [c for c in browser.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")
                              if "def init_weights" in c.text], 60, "the init_weights answer cell")[0]
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", cell)
        editor = cell.find_element(By.CSS_SELECTOR, ".cm-content")
        editor.click()
        ActionChains(browser).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
        editor.send_keys(ANSWER)
        ActionChains(browser).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()

        def saved():
            nb = json.loads((home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
            return any("".join(c["source"]) == ANSWER for c in nb["cells"])
        wait_for(saved, 30, "the notebook to be saved with the answer")
        _shot(browser, "2_answer_edited.png")

        # submit from the Assignments tab
        [t for t in browser.find_elements(By.CSS_SELECTOR, ".lm-DockPanel-tabBar .lm-TabBar-tab")
         if "Assignments" in t.text][0].click()
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#fetched_assignments_list .item_status button"),
              10, "the Submit button")[0].click()
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#submitted_assignments_list .item_status button"),
              60, "the submitted assignment")
        inbound = list((exchange / COURSE_ID / "inbound").glob(f"{STUDENT}+{ASSIGNMENT}+*"))
        assert len(inbound) == 1
        _shot(browser, "3_submitted.png")

        # the instructor's serve grades it and releases the feedback
        proc = course_command(course, exchange, "serve", "--once", "--jobs", "2")
        assert proc.returncode == 0 and f"feedback released: {STUDENT}" in proc.stdout, proc.stdout + proc.stderr

        # fetch the feedback, follow "view feedback", open the page
        browser.find_element(By.CSS_SELECTOR, "#submitted_assignments_list .item_status button").click()
        view = wait_for(lambda: [a for a in browser.find_elements(By.CSS_SELECTOR, "#submitted_assignments_list a")
                              if "view feedback" in a.text], 60, "the view feedback link")[0]
        _shot(browser, "4_feedback_fetched.png")
        view.click()
        item = wait_for(lambda: [e for e in browser.find_elements(By.CSS_SELECTOR, ".jp-DirListing-item")
                              if e.text.startswith(ASSIGNMENT)], 30, "the feedback file in the file browser")[0]
        ActionChains(browser).double_click(item).perform()
        frame = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".jp-HTMLViewer iframe, iframe"), 30,
                      "the feedback page")[0]
        browser.switch_to.frame(frame)
        page = wait_for(lambda: browser.find_element(By.TAG_NAME, "body").text, 30, "the page's text")
        browser.switch_to.default_content()
        _shot(browser, "5_feedback_open.png")
        words = " ".join(page.split())
        assert "init_weights 3 / 3" in words and "All checks passed" in words, words[:2000]
        assert "Not answered yet" in words                     # the units the student left
        assert "On time" in words and "Free late days left after this assignment: 3 of 3" in words
        fetched = list((home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(fetched) == 1 and "init_weights" in text_of(fetched[0].read_text())
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lab.kill()
    print(f"\nstudent client in JupyterLab: {time.perf_counter() - start:.1f} s")
