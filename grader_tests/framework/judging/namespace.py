"""The namespace an answer cell runs in when it is graded, built from the notebook itself
(SPEC 3, isolation): the code the probe runner executes before the student's cell.

1. the course's shipped modules the notebook's given setup cells import (a handout such as
   cnn_helpers), registered as modules from their source text, so `from cnn_helpers import *`
   works where the course folder is hidden (the sandbox);
2. the notebook's given setup cells themselves (`Assignment.given_cells`, default the cell named
   "setup": its imports, device, constants, given classes), read from the instructor's source
   notebook, which holds the same given code as the release;
3. the reference versions of the units this unit builds on (units.py), with the reference
   module's own helpers they use, so a bug in another unit is never charged twice;
4. what the unit's judge adds (`UnitJudge.given_extra`: a grader model, recording wrappers).
"""
import ast
import functools
import importlib
import inspect
import json
import pathlib

from grader_tests.framework.contract import table as unit_table
from grader_tests.framework.sandboxed import harness


@functools.lru_cache(maxsize=None)
def _cells(root, assignment, notebook, names):
    """The sources of the code cells named `names` (nbgrader grade_ids) of a source notebook, in
    notebook order."""
    path = pathlib.Path(root) / "source" / assignment / notebook
    if not path.exists():   # a table without a notebook (the framework's own tests)
        return ()
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("cell_type") == "code" and grade_id in names:
            found.append("".join(cell["source"]))
    return tuple(found)


def _imported(source):
    return {name.split(".")[0] for name in harness.imported_modules([source])}


def _shipped_modules(root, assignment_table):
    """{module name: path} of the assignment's shipped Python modules (`Assignment.ships`)."""
    found = {}
    for name in assignment_table.ships:
        path = pathlib.Path(root) / unit_table.shipped_file(name)
        if path.suffix == ".py":
            found[path.stem] = path
    return found


def reference_closure(module, names):
    """The sources of the reference objects `names` and, recursively, of the module-level
    functions and classes of `module` they mention (their helpers), dependencies first."""
    order, seen = [], set()

    def visit(name):
        if name in seen or not hasattr(module, name):
            return
        seen.add(name)
        obj = getattr(module, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)) or getattr(obj, "__module__", None) != module.__name__:
            return
        source = inspect.getsource(obj)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Name) and node.id != name:
                visit(node.id)
        order.append(source)

    for name in names:
        visit(name)
    return order


def given_source(assignment_table, unit_id, root=None, extra=""):
    """The code an answer of `unit_id` runs after (see the module docstring)."""
    root = root or unit_table.COURSE_ROOT
    unit = assignment_table.unit(unit_id)
    notebook = assignment_table.notebook_of(unit)
    setup = _cells(str(root), assignment_table.name, notebook, tuple(assignment_table.given_cells))
    shipped = _shipped_modules(root, assignment_table)
    loaders = []
    for name in sorted(set().union(*(_imported(s) for s in setup)) & set(shipped)):
        loaders.append(harness.module_loader(name, shipped[name].read_text(encoding="utf-8")))
    parts = loaders + list(setup)
    if unit.builds_on:
        reference = importlib.import_module(f"reference.{assignment_table.name}")
        names = [name for dependency in unit.builds_on for name in assignment_table.unit(dependency).defines]
        parts += reference_closure(reference, names)
    if extra:
        parts.append(extra)
    return "\n\n".join(parts)


def given_modules(assignment_table, root=None):
    """The installed modules the notebooks' given setup cells import (the probe server imports them
    once, before it forks a child per job and unit)."""
    root = root or unit_table.COURSE_ROOT
    sources = [source for notebook in assignment_table.notebook_files
               for source in _cells(str(root), assignment_table.name, notebook, tuple(assignment_table.given_cells))]
    shipped = set(_shipped_modules(root, assignment_table))
    return [name for name in harness.imported_modules(sources) if name.split(".")[0] not in shipped]


def given_for(assignment_table, unit_id, root=None):
    """`given_source` with what the unit's judge adds (`UnitJudge.given_extra`)."""
    judges = importlib.import_module(f"{assignment_table.package_name}.judge").JUDGES
    extra = getattr(judges.get(unit_id), "given_extra", "") or ""
    return given_source(assignment_table, unit_id, root, extra)
