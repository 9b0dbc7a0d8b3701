"""What students and graders see around a graded notebook (nbgrader preprocessors, SPEC 10, 13):

- `FeedbackSummary` (generate_feedback, after GetGrades and SanitizeFeedback): what the feedback
  page (feedback_page.py and its template) opens with: the points so far and the points still
  awaiting a TA, and per unit its points and one-sentence diagnosis with links to its answer cell
  and to the check that failed. Built only from what the page shows anyway (the sanitised
  failures, each failed test cell's verdict, the scores, the TA's comments, the grading notes
  intake left on a unit's cells): no hidden test source, path or answer reaches it. It also marks
  every graded cell awaiting a TA, so the page says so there too instead of "0 points";
- `ModelAnswersForGraders` (formgrader only): under each written answer the grading page shows
  the model answer and rubric from the instructor's source notebook, and the page's math
  renders without a network. It is registered on nbconvert's HTMLExporter (the exporter the
  formgrader renders submissions with) and does nothing unless the exporter renders the
  formgrader's `formgrade` template, so feedback pages never get it.
"""
import pathlib
import re

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from grader_tests.framework.reports import diagnosis
from grader_tests.framework.pipeline import structure
from grader_tests.framework.contract import table
from grader_tests.framework.pipeline.nbgrader_plugins import scrub

FEEDBACK_MARK = "course_feedback"     # a graded cell's metadata on the page: {"pending": bool}
# A sentence that is only an exception's name ("AssertionError", "AssertionError:"): it names no
# check and no bug, so the summary never shows it as a diagnosis.
_BARE_NAME = re.compile(r"^\s*[A-Za-z_][\w.]*(?:Error|Exception|Failure|Exit|Interrupt)?\s*:?\s*\.?\s*$")
BARE_FAILURE = ("A check of this unit failed without saying why (an assertion without a "
                "message): read the test cell it links to.")


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def readable(sentence):
    """`sentence` as the summary shows it: scrubbed, ending with a full stop, and never a bare
    exception name."""
    sentence = scrub(str(sentence or "")).strip()
    if not sentence or _BARE_NAME.match(sentence):
        return BARE_FAILURE
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."


def _grades(info):
    """{notebook: {grade_id: {"score", "max", "pending", "manual"}}} of the student's submission
    of the assignment, from the gradebook (pending: awaiting a TA's grade)."""
    from nbgrader.api import Gradebook, MissingEntry
    out = {}
    try:
        with Gradebook(info["db_url"]) as gb:
            submission = gb.find_submission(info["assignment"], info["student"])
            for notebook in submission.notebooks:
                out[notebook.name] = {g.name: {"score": float(g.score or 0.0), "max": float(g.max_score or 0.0),
                                               "pending": bool(g.needs_manual_grade),
                                               "manual": g.manual_score is not None}
                                      for g in notebook.grades}
    except (KeyError, MissingEntry):
        pass
    return out


def _totals(grades, late_penalty=0.0):
    """{"score", "graded_max", "pending_max", "max"} of a set of grades: the points so far (of
    the graded ones, less a late penalty) and the points still awaiting a TA."""
    pending = sum(g["max"] for g in grades if g["pending"])
    top = sum(g["max"] for g in grades)
    got = sum(g["score"] for g in grades if not g["pending"]) - (late_penalty or 0.0)
    return {"score": max(got, 0.0), "graded_max": top - pending, "pending_max": pending, "max": top}


class FeedbackSummary(NbGraderPreprocessor):
    """Put the page's summary into `resources["course_feedback"]` (the feedback template renders
    it first): this notebook's totals, the whole assignment's when it has several notebooks, and
    one row per unit of this notebook: {"unit", "anchor", "score", "max", "pending", "state",
    "diagnosis", "check"} (`check`: the grade_id of the failed test cell the diagnosis comes from).
    Marks every graded cell with {"pending": bool} in its metadata (FEEDBACK_MARK)."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        by_notebook = _grades(info)
        grades = by_notebook.get(info.get("notebook"), {})
        by_id = {_nbgrader(c).get("grade_id"): c for c in nb.cells if _nbgrader(c).get("grade_id")}
        for grade_id, cell in by_id.items():
            if grade_id in grades:
                cell.setdefault("metadata", {})[FEEDBACK_MARK] = {"pending": grades[grade_id]["pending"]}
        if not grades:
            return nb, resources
        summary = _totals(grades.values(), info.get("late_penalty", 0.0))
        if len(by_notebook) > 1:
            summary["assignment"] = {**_totals([g for gs in by_notebook.values() for g in gs.values()],
                                               info.get("late_penalty", 0.0)),
                                     "notebooks": len(by_notebook)}
        try:
            assignment_table = table.load(info["assignment"])
        except (KeyError, ModuleNotFoundError):
            assignment_table = None
        summary["units"] = self._unit_rows(assignment_table, by_id, grades) if assignment_table else []
        resources["course_feedback"] = summary
        return nb, resources

    @staticmethod
    def _unit_rows(assignment_table, by_id, grades):
        rows = []
        for unit in assignment_table.units:
            ids = [i for i in (unit.test_ids if unit.tests else [unit.id]) if i in by_id and i in grades]
            if not ids:
                continue       # a unit of another notebook of the assignment
            cells = [by_id[i] for i in ids]
            got = sum(grades[i]["score"] for i in ids if not grades[i]["pending"])
            top = sum(grades[i]["max"] for i in ids)
            pending = any(grades[i]["pending"] for i in ids)
            # what intake did to this unit's cells to grade the notebook (structure.py)
            note = structure.unit_note(([by_id[unit.id]] if unit.id in by_id else []) + cells)
            note = f" Grading note: {note[:1].upper()}{note[1:]}." if note else ""
            row = {"unit": unit.id, "anchor": unit.id if unit.id in by_id else ids[0], "score": got,
                   "max": top, "pending": pending, "check": None}
            if unit.kind == table.MANUAL:
                if pending:
                    text, state = "Written answer: awaiting a TA's grade.", "pending"
                elif grades[unit.id]["manual"]:
                    comment = _nbgrader(by_id[unit.id]).get("comment")
                    text = "Graded by a TA" + (": see the comment under your answer." if comment else ".")
                    state = "full" if got >= top else "graded"
                else:
                    text, state = "Not answered.", "failed"
                rows.append({**row, "diagnosis": text + note, "state": state})
                continue
            found = []          # (sentence, test cell, from a hidden test): a hidden test names the bug
            for grade_id, cell in zip(ids, cells):
                if not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                    continue
                failed = diagnosis.of_cell(cell)
                if failed is None:
                    continue
                hidden = assignment_table.unit_of_test(grade_id)[1].aspect is not None
                sentence = readable(failed.sentence)
                if sentence not in [f for f, _, _ in found]:
                    found.append((sentence, grade_id, hidden))
            chosen = [f for f in found if f[2]] or found
            if chosen:
                text, check = " ".join(f for f, _, _ in chosen[:2]), chosen[0][1]
            else:
                text, check = ("All checks passed." if got >= top else "Some checks did not pass."), None
            state = "pending" if pending else "full" if got >= top else "failed"
            rows.append({**row, "diagnosis": text + note, "check": check, "state": state})
        return rows


_SOLUTION = re.compile(r"### BEGIN SOLUTION\s*\n(.*?)### END SOLUTION", re.S)


class ModelAnswersForGraders(Preprocessor):
    """On the formgrader's grading page: the model answer and rubric of every written answer,
    from source/<assignment>/<notebook>.ipynb, in a box under the student's answer; and MathJax
    inlined for the page's math (answers and model answers), used when the CDN's copy that
    nbgrader's page head asks for does not arrive (feedback_page.offline_mathjax_html)."""

    def _source_cells(self, resources):
        from nbgrader.coursedir import CourseDirectory
        import nbformat
        root = CourseDirectory(config=self.config).root
        path = pathlib.Path(root, "source", resources.get("assignment_id", ""),
                            f"{resources.get('notebook_id', '')}.ipynb")
        if not path.is_file():
            return {}
        source = nbformat.read(str(path), as_version=4)
        return {_nbgrader(c).get("grade_id"): c for c in source.cells if _nbgrader(c).get("solution")}

    def preprocess(self, nb, resources):
        if getattr(self.parent, "template_name", None) != "formgrade":
            return nb, resources      # feedback and every other export: never
        source = self._source_cells(resources)
        cells = []
        for cell in nb.cells:
            cells.append(cell)
            meta = _nbgrader(cell)
            if not (meta.get("grade") and meta.get("solution") and cell.cell_type == "markdown"):
                continue
            original = source.get(meta.get("grade_id"))
            found = _SOLUTION.search(original.source) if original is not None else None
            if found:
                cells.append(new_markdown_cell(
                    "<div class=\"model-answer\" style=\"border:2px solid #5b9bd5;background:#eef5fc;"
                    "padding:0.5em 1em;margin:0.5em 0\">\n\n*For graders only (from the source "
                    "notebook; students never see this):*\n\n" + found.group(1).strip() + "\n\n</div>"))
        nb.cells = cells
        code = [c for c in cells if c.cell_type == "code"]
        if code:   # an output of no visible content: the page's own script, never the student's
            from grader_tests.framework.reports.feedback_page import offline_mathjax_html
            code[-1].setdefault("outputs", []).append(new_output(
                "display_data", data={"text/html": offline_mathjax_html(fallback=True)}))
        return nb, resources
