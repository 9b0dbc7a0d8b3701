"""What students and graders see around a graded notebook (nbgrader preprocessors, SPEC 10):

- `FeedbackSummary` (generate_feedback, after GetGrades and SanitizeFeedback): the feedback page
  opens with a table of the units, their points and a one-sentence diagnosis, built only from
  what the page shows anyway (the sanitised failure messages, the scores, the TA's comments, and
  the grading notes intake left on a unit's cells when it restored the notebook's structure): no
  hidden test source, path or answer reaches it;
- `ModelAnswersForGraders` (formgrader only): under each written answer the grading page shows
  the model answer and rubric from the instructor's source notebook. It is registered on
  nbconvert's HTMLExporter (the exporter the formgrader renders submissions with) and does
  nothing unless the exporter renders the formgrader's `formgrade` template, so feedback pages,
  which nbgrader renders with the `feedback` template, never get it.
"""
import html
import pathlib
import re

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_markdown_cell
from nbgrader.preprocessors import NbGraderPreprocessor

from grader_tests.framework.reports import diagnosis
from grader_tests.framework.pipeline import structure
from grader_tests.framework.contract import table
from grader_tests.framework.pipeline.nbgrader_plugins import scrub

SUMMARY_MARK = "course-feedback-summary"
FAILED_NAMES = ("Hidden test failed", "GradingFailure")   # SanitizeFeedback renames the latter


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _fmt(x):
    from grader_tests.framework.reports.class_report import format_points
    return format_points(x) if x is not None else "-"


class FeedbackSummary(NbGraderPreprocessor):
    """Insert, as the notebook's first cell, a per-unit table: unit, points, diagnosis."""

    def _manual_state(self, resources, grade_id):
        """'ta' (a TA graded it), 'to do' (awaiting a TA) or 'unanswered' (nbgrader gave 0)."""
        from nbgrader.api import Gradebook, MissingEntry
        info = resources.get("nbgrader", {})
        try:
            with Gradebook(info["db_url"]) as gb:
                grade = gb.find_grade(grade_id, info["notebook"], info["assignment"], info["student"])
                if grade.manual_score is not None:
                    return "ta"
                return "to do" if grade.needs_manual_grade else "unanswered"
        except (KeyError, MissingEntry):
            return "to do"

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        try:
            assignment_table = table.load(info["assignment"])
        except (KeyError, ModuleNotFoundError):
            return nb, resources
        by_id = {_nbgrader(c).get("grade_id"): c for c in nb.cells if _nbgrader(c).get("grade_id")}
        rows = []
        for unit in assignment_table.units:
            ids = unit.test_ids if unit.tests else [unit.id]
            cells = [by_id[i] for i in ids if i in by_id]
            if not cells:
                continue       # a unit of another notebook of the assignment
            got = sum(float(_nbgrader(c).get("score") or 0) for c in cells)
            top = sum(float(_nbgrader(c).get("points") or 0) for c in cells)
            # what intake did to this unit's cells to grade the notebook (structure.py)
            note = structure.unit_note(([by_id[unit.id]] if unit.id in by_id else []) + cells)
            note = f" Grading note: {note[:1].upper()}{note[1:]}." if note else ""
            if unit.kind == table.MANUAL:
                state = self._manual_state(resources, unit.id)
                if state == "to do":
                    rows.append((unit.id, f"- / {_fmt(top)}", "Written answer: awaiting a TA's grade." + note))
                elif state == "unanswered":
                    rows.append((unit.id, f"{_fmt(got)} / {_fmt(top)}", "Not answered." + note))
                else:
                    comment = _nbgrader(cells[0]).get("comment")
                    rows.append((unit.id, f"{_fmt(got)} / {_fmt(top)}", "Graded by a TA" + (
                        ": see the comment under your answer." if comment else ".") + note))
                continue
            found = []          # (sentence, from a hidden test): a hidden test names the bug
            for cell in cells:
                hidden = assignment_table.unit_of_test(_nbgrader(cell).get("grade_id"))[1].aspect is not None
                for out in cell.get("outputs", []):
                    if out.get("output_type") == "error" and out.get("ename") in FAILED_NAMES:
                        sentence = scrub(diagnosis.diagnose(out.get("evalue", "")).sentence)
                        sentence += "" if sentence.endswith((".", "!", "?")) else "."
                        if sentence not in [f for f, _ in found]:
                            found.append((sentence, hidden))
            sentences = [f for f, hidden in found if hidden] or [f for f, _ in found]
            verdict = (" ".join(sentences[:2]) if sentences
                       else "All checks passed." if got >= top else "Some checks did not pass.")
            rows.append((unit.id, f"{_fmt(got)} / {_fmt(top)}", verdict + note))
        if not rows:
            return nb, resources
        body = "".join(
            f"<tr><td><code>{html.escape(u)}</code></td><td style=\"text-align:right\">{html.escape(p)}</td>"
            f"<td>{html.escape(d)}</td></tr>" for u, p, d in rows)
        cell = new_markdown_cell(
            "<div id=\"unit-summary\">\n\n**Your results per unit** (details under each test cell below)\n\n"
            "<table class=\"table table-condensed\"><thead><tr><th>unit</th><th>points</th>"
            f"<th>diagnosis</th></tr></thead><tbody>{body}</tbody></table>\n\n</div>")
        cell.metadata[SUMMARY_MARK] = True
        nb.cells.insert(0, cell)
        return nb, resources


_SOLUTION = re.compile(r"### BEGIN SOLUTION\s*\n(.*?)### END SOLUTION", re.S)


class ModelAnswersForGraders(Preprocessor):
    """On the formgrader's grading page: the model answer and rubric of every written answer,
    from source/<assignment>/<notebook>.ipynb, in a box under the student's answer."""

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
        return nb, resources
