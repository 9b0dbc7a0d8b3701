"""Source notebooks and their paired percent-format scripts (jupytext), kept in sync with the
unit tables.

    python tools/notebooks.py sync [ASSIGNMENT ...] [--from py|ipynb]   # make both sides agree
    python tools/notebooks.py check [ASSIGNMENT ...]                    # exit 1 if out of sync

Each source notebook `source/<a>/<name>.ipynb` has a paired script `source/<a>/<name>.py` in
jupytext's percent format carrying the nbgrader cell metadata: edit either (a text editor, or
Jupyter with jupytext, which pairs them through `source/jupytext.toml`); `sync` takes the newer
one (the script when both are as new), then writes from the unit table
(grader_tests/<a>/units.py) every test cell's points and hidden block and every written
answer's points, and writes both files. `check` fails when a sync would change anything, or
when the notebook and the table disagree on which units and test cells exist.
"""
import argparse
import pathlib
import re
import sys

import jupytext
import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader_tests.framework.contract import table as unit_table  # noqa: E402

HIDDEN_BLOCK = re.compile(r"(?:^# Hidden test[^\n]*\n)?^### BEGIN HIDDEN TESTS.*?^### END HIDDEN TESTS[^\n]*\n?",
                          re.M | re.S)
FORMAT = "py:percent"


def hidden_block(assignment, unit, test):
    what = f"# Hidden test: {test.what}\n" if test.what else ""
    return (f"{what}### BEGIN HIDDEN TESTS\nfrom grader_tests.{assignment} import check\n"
            f"check({unit.id!r}, {test.aspect!r})\n### END HIDDEN TESTS").replace("'", '"')


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def apply_table(nb, assignment_table, notebook_name):
    """Write the table's points and hidden blocks into `nb`; returns the list of problems."""
    problems = []
    tests = assignment_table.test_cells()
    seen = set()
    for cell in nb.cells:
        meta = _meta(cell)
        grade_id = meta.get("grade_id")
        if not grade_id:
            continue
        seen.add(grade_id)
        if meta.get("grade") and not meta.get("solution"):          # a test cell
            if grade_id not in tests:
                problems.append(f"{notebook_name}: test cell {grade_id} is in no unit of the table")
                continue
            unit, test = tests[grade_id]
            meta["points"] = test.points
            visible = HIDDEN_BLOCK.sub("", cell.source).rstrip()
            if test.hidden:
                visible = (visible + "\n\n" if visible else "") + hidden_block(assignment_table.name, unit, test)
            cell.source = visible
        elif meta.get("grade") and meta.get("solution"):            # a written answer
            try:
                unit = assignment_table.unit(grade_id)
            except KeyError:
                problems.append(f"{notebook_name}: written answer {grade_id} is in no row of the table")
                continue
            meta["points"] = unit.points
    for unit in assignment_table.units:
        if assignment_table.notebook_of(unit) != notebook_name:
            continue
        for grade_id in [unit.id] + unit.test_ids:
            if grade_id not in seen:
                problems.append(f"{notebook_name}: the table's {grade_id} has no cell")
    return problems


def _read(path):
    nb = jupytext.read(str(path))
    nb.metadata.pop("jupytext", None)
    return nb


def _ipynb_text(nb):
    return nbformat.writes(nb) + "\n"


def _py_text(nb):
    return jupytext.writes(nb, fmt=FORMAT)


def pairs(assignment):
    folder = ROOT / "source" / assignment
    for name in unit_table.load(assignment).notebook_files:
        yield name, folder / name, (folder / name).with_suffix(".py")


def sync(assignment, source_side=None, write=True):
    """Bring the pair(s) of `assignment` in sync; returns (changed paths, problems)."""
    changed, problems = [], []
    assignment_table = unit_table.load(assignment)
    for name, ipynb, script in pairs(assignment):
        side = source_side
        if side is None:
            if not script.exists():
                side = "ipynb"
            elif not ipynb.exists():
                side = "py"
            else:
                side = "ipynb" if ipynb.stat().st_mtime > script.stat().st_mtime + 1 else "py"
        nb = _read(ipynb if side == "ipynb" else script)
        nb.metadata.setdefault("kernelspec", {"display_name": "Python 3 (ipykernel)",
                                              "language": "python", "name": "python3"})
        problems += apply_table(nb, assignment_table, name)
        for k, cell in enumerate(nb.cells):  # stable ids (jupytext draws random ones)
            cell["id"] = _meta(cell).get("grade_id") or f"cell-{k}"
        nbformat.validate(nb)
        for path, text in ((ipynb, _ipynb_text(nb)), (script, _py_text(nb))):
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                changed.append(path)
                if write:
                    path.write_text(text, encoding="utf-8")
    return changed, problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("sync", "check"))
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--from", dest="side", choices=("py", "ipynb"))
    args = parser.parse_args(argv)
    status = 0
    for assignment in args.assignments or unit_table.assignments(ROOT):
        changed, problems = sync(assignment, args.side, write=args.command == "sync")
        for problem in problems:
            print(f"{assignment}: {problem}", file=sys.stderr)
            status = 1
        for path in changed:
            rel = path.relative_to(ROOT)
            print(f"{'wrote' if args.command == 'sync' else 'out of sync'}: {rel}")
            status = status or (1 if args.command == "check" else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
