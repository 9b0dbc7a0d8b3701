"""Small helpers to author nbgrader source notebooks from Python (tools/author_*.py).

Each helper returns an nbformat cell with the nbgrader metadata nbgrader 0.9 expects.
"""
import textwrap

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None, task=False):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def clean(text):
    return textwrap.dedent(text).strip("\n")


def md(text):
    """Plain markdown (not graded)."""
    return new_markdown_cell(clean(text))


def given(grade_id, code):
    """Given code: read-only for students (locked), restored from the source at autograde."""
    return new_code_cell(clean(code), metadata=_meta(grade_id, locked=True))


def given_md(grade_id, text):
    return new_markdown_cell(clean(text), metadata=_meta(grade_id, locked=True))


def answer(grade_id, code):
    """Autograded answer cell: solution regions are replaced in the release."""
    return new_code_cell(clean(code), metadata=_meta(grade_id, solution=True))


def written(grade_id, text, points):
    """Manually graded markdown answer (model answer and rubric live in the source only)."""
    return new_markdown_cell(clean(text), metadata=_meta(grade_id, grade=True, solution=True,
                                                         points=points))


def test(grade_id, code, points):
    """Autograded test cell carrying `points`."""
    return new_code_cell(clean(code), metadata=_meta(grade_id, grade=True, locked=True,
                                                     points=points))


def notebook(cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write(nb, path):
    nbformat.validate(nb)
    with open(path, "w", encoding="utf-8") as fh:
        nbformat.write(nb, fh)
