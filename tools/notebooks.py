"""Source notebooks and their paired percent-format scripts (jupytext), kept in sync with the
unit tables.

    python tools/notebooks.py sync [ASSIGNMENT ...] [--from py|ipynb]   # make both sides agree
    python tools/notebooks.py check [ASSIGNMENT ...]                    # exit 1 if out of sync

Each source notebook `source/<a>/<name>.ipynb` has a paired script `source/<a>/<name>.py` in
jupytext's percent format carrying the nbgrader cell metadata: edit either (a text editor, or
Jupyter with jupytext, which pairs them through `source/jupytext.toml`); `sync` takes the newer
one (the script when both are as new), then writes from the unit table
(grader_tests/<a>/units.py) every test cell's points and hidden block and every written
answer's points, the points in the markdown (`apply_points`: a heading's "(N points)" is the sum
of the units whose answer cells lie under it, a written answer's "**Rubric (N points).**" its own,
and the "| part | points |" table the sections' totals), and writes both files. `check` fails
when a sync would change anything, or when the notebook and the table disagree on which units
and test cells exist.
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


POINTS = re.compile(r"\s*\((\d+(?:\.\d+)?) points?\b[^)]*\)")   # (3 points), (6 points + 2 written)
RUBRIC = re.compile(r"\*\*Rubric \((\d+(?:\.\d+)?) points?\)\.\*\*")
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
PARTS_HEADER = re.compile(r"^\|\s*part\s*\|\s*points\s*\|\s*$")


def _points_text(value):
    return f"{value:g} point{'s' if value != 1 else ''}"


def _annotation(auto, written):
    """A heading's points: "(7 points)", "(3 points, written)" or "(6 points + 2 written)"."""
    if auto and written:
        return f" ({_points_text(auto)} + {written:g} written)"
    return f" ({_points_text(written)}, written)" if written else f" ({_points_text(auto)})"


def apply_points(nb, assignment_table, notebook_name):
    """Write the table's points into the markdown: every heading that states "(N points)", the
    rubric of every written answer, and the "| part | points |" table; returns the problems (a
    heading stating points with no unit under it)."""
    problems = []
    units = {u.id: u for u in assignment_table.units if assignment_table.notebook_of(u) == notebook_name}
    answer_at = {}
    for k, cell in enumerate(nb.cells):
        grade_id = _meta(cell).get("grade_id")
        if grade_id in units and _meta(cell).get("solution"):
            answer_at[grade_id] = k
    headings = []   # (cell index, line index, level, text)
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and grade_id_of(cell) is None:
            for j, line in enumerate(cell.source.splitlines()):
                found = HEADING.match(line)
                if found:
                    headings.append((k, j, len(found.group(1)), found.group(2)))

    def under(h):
        k, j, level, _ = headings[h]
        end = next(((k2, j2) for k2, j2, level2, _ in headings[h + 1:] if level2 <= level), (len(nb.cells), 0))
        return [units[u] for u, at in answer_at.items() if (k, j) < (at, -1) and (at, 0) < end]

    sections = []
    for h, (k, j, level, text) in enumerate(headings):
        inside = under(h)
        auto = sum(u.total_points for u in inside if u.kind != unit_table.MANUAL)
        written = sum(u.total_points for u in inside if u.kind == unit_table.MANUAL)
        if level == 2 and inside:
            sections.append((POINTS.sub("", text).strip(), auto, written))
        if POINTS.search(text):
            if not inside:
                problems.append(f"{notebook_name}: heading {text!r} states points but no graded unit is under it")
                continue
            lines = nb.cells[k].source.splitlines()
            lines[j] = lines[j][:len(lines[j]) - len(text)] + POINTS.sub(_annotation(auto, written), text, count=1)
            nb.cells[k].source = "\n".join(lines)
    for unit_id, k in answer_at.items():
        if units[unit_id].kind == unit_table.MANUAL:
            nb.cells[k].source = RUBRIC.sub(f"**Rubric ({_points_text(units[unit_id].points)}).**", nb.cells[k].source)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        start = next((j for j, line in enumerate(lines) if PARTS_HEADER.match(line)), None)
        if start is None or start + 1 >= len(lines):
            continue
        end = start + 2
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        rows = [f"| {title} | {_points_cell(auto, written)} |" for title, auto, written in sections]
        cell.source = "\n".join(lines[:start + 2] + rows + lines[end:])
    return problems


def _points_cell(auto, written):
    if auto and written:
        return f"{auto:g} + {written:g} written"
    return f"{written:g} written" if written else f"{auto:g}"


def grade_id_of(cell):
    return _meta(cell).get("grade_id")


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
        problems += apply_points(nb, assignment_table, name)
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
