"""A submitted notebook's structure restored from the release notebook before nbgrader grades it.

nbgrader finds a notebook's graded cells by their nbgrader metadata alone, and voids the whole
submission (every unit 0) when that metadata does not match the gradebook: a copied cell (two
cells with one `grade_id`), a notebook saved by an editor or service that drops cell metadata,
a cell that claims a `grade_id` and points of its own, a test cell made an ungraded cell
("Inconsistent checksums"), a deleted cell nbgrader cannot put back. `restore_structure`
matches every submitted cell to the release's cells and rewrites the metadata so that nbgrader
sees the release's graded cells, each once, and nothing else:

- a notebook whose metadata is consistent (each release cell claimed once, with the release's
  settings, every autograded answer cell there, and whatever else is missing something nbgrader
  restores itself) is left as it is;
- otherwise the cells are aligned with the release's (`align`): an order-preserving alignment
  of the submitted cells to the release's, scored by metadata (the same `grade_id`), by text
  for the cells whose text the student does not write (given code, test cells, markdown: equal
  or nearly equal lines), and, for answer cells, by their place between those anchors and by
  what they hold (the names the unit's answer defines, the template's given lines it keeps,
  whether it differs from the template); an unchanged nbformat cell id weighs a little. In a
  notebook that kept most of its metadata an answer cell is never taken by its place alone.
  Cells the alignment leaves out are then looked for anywhere in the notebook (a moved cell):
  by metadata, by identical text, or (answer cells) by defining every name of the unit;
- each matched cell gets the release's nbgrader metadata (nbgrader then puts the locked cells'
  text back from the gradebook, hidden tests included, and the gradebook's points stand); every
  other cell loses any nbgrader metadata (copies, cells claiming a grade of their own); a test or
  written-answer cell not found is put back at its release place; an answer cell not found stays
  missing (its unit scores 0, and the grader says why);
- a test cell the student turned into an ungraded one (its metadata still names it, but no longer
  as graded) costs its unit: every test cell of that unit is marked (`MARK`, "zero") and
  `StructureVerdicts`, after trusted grading, fails them with a sentence saying why. Nothing
  else changes a verdict: the release's cells and points are all a repaired notebook can have.

Every repair is returned as a `Repair`: what was found and what was done (for the staff's
records), and `Restructured.sentences` says them to the student, grouped. Limits: a cell split
in two, or two answers merged in one cell, is matched as one cell; an answer moved away from its
section that defines none of its unit's names is not found (recorded as missing, never guessed);
a written answer without metadata next to another markdown cell of the student's is taken by its
place, and the other candidates are named in the record and the note.
"""
import ast
import copy
import dataclasses
import difflib
import re

from nbformat import from_dict

MARK = "course-structure"      # cell metadata intake writes: {"note": str, "zero": bool}

# Roles of a release cell.
ANSWER, TEST, GIVEN, TEXT = "answer", "test", "given", "text"

# Alignment scores (see `align`).
W_METADATA = 8.0        # the submitted cell names the release cell's grade_id
W_SETTINGS = 2.0        # ... with the release's settings (a faithful cell beats a demoted copy)
W_OTHER_CLAIM = -1.0    # the submitted cell's metadata names another release cell
W_ANCHOR = {TEST: 4.0, GIVEN: 4.0, TEXT: 2.0}   # times the text similarity
W_EXACT = 1.0           # identical text
W_PLACE = 1.0           # an answer cell of the right type at the right place
W_DEFINES = 3.0         # times the share of the unit's names the cell defines
W_TEMPLATE = 1.0        # times the share of the template's given lines (signatures) it keeps
W_ANSWERED = 1.0        # it differs from the template (of two copies, the one answered)
W_CELL_ID = 0.75        # the same nbformat cell id (kept by tools that drop metadata; a pasted
                        # copy gets a new one)
W_LATER = 1e-6          # times the cell's index: a tie between answers without metadata goes to
                        # the later one
# What a release's code answer cell holds in place of the solution (nbgrader_config.py sets it as
# nbgrader's code stub): run, it says in one line that the cell is not answered yet; the grader
# and the shipped self-check (handouts/selfcheck.py) read any NotImplementedError that way.
CODE_STUB = '# YOUR CODE HERE\nraise NotImplementedError("Not answered yet: replace this line with your code")'
# nbgrader's placeholders in an answer template (its default stub, the course's, the text stub):
# not lines a student keeps
_PLACEHOLDERS = {"# YOUR CODE HERE", "raise NotImplementedError()", "YOUR ANSWER HERE",
                 *CODE_STUB.splitlines()}
MIN_SIMILARITY = 0.6    # below it, text alone does not match an anchor
MAX_ALIGNED = 5000      # submitted cells the alignment considers (time and memory grow with
                        # cells x release cells); later ones only lose any nbgrader metadata
_EPS = 1e-9

_SETTINGS = ("grade", "solution", "locked", "task")

# How a release cell was found (`Match.how`).
BY_METADATA = "metadata"        # a cell naming its grade_id
BY_CONTENT = "content"          # its text (given code, tests), or an answer defining its unit's names
BY_PLACE = "position"           # an answer cell at its place, with nothing more to go by
MOVED = "moved"                 # out of the release's order (by metadata, text or names)


def _meta(cell):
    """The cell's nbgrader metadata as a dict ({} when absent or not a dict)."""
    meta = cell.get("metadata", {})
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def grade_id(cell):
    gid = _meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def role(cell):
    """ANSWER, TEST, GIVEN or TEXT: what a release cell is to grading."""
    meta = _meta(cell)
    if not grade_id(cell):
        return TEXT
    if meta.get("solution"):
        return ANSWER
    if meta.get("grade"):
        return TEST
    return GIVEN


def _settings(meta):
    """The grading settings nbgrader checks a cell against the gradebook by (points as given:
    a number, or the text of one that is not)."""
    try:
        points = float(meta.get("points") or 0)
    except (TypeError, ValueError, OverflowError):
        points = repr(meta.get("points"))
    return tuple(bool(meta.get(k)) for k in _SETTINGS) + (points,)


def _lines(text):
    """The text's non-blank lines, right-stripped: editors differ in blank lines and trailing spaces."""
    return tuple(line.rstrip() for line in str(text).splitlines() if line.strip())


def similarity(a, b):
    """Share of lines two texts have in common, in order (1.0: the same lines)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    if min(len(a), len(b)) / max(len(a), len(b)) < MIN_SIMILARITY:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def defined_names(text):
    """Top-level names a cell's code defines (classes, functions, assigned variables, imports)."""
    try:
        tree = ast.parse(str(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):   # a magic, a half-written line:
        # read the lines instead
        found = set(re.findall(r"(?m)^(?:async\s+)?(?:class|def)\s+(\w+)", str(text)))
        for targets in re.findall(r"(?m)^([A-Za-z_][\w\s,()]*?)\s*=(?!=)", str(text)):
            found.update(re.findall(r"\w+", targets))
        return found
    found = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            found.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                found.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update((a.asname or a.name).split(".")[0] for a in node.names)
    return found


@dataclasses.dataclass
class Match:
    """A release cell found at submitted cell `submitted`; `how`: BY_METADATA, BY_CONTENT,
    BY_PLACE or MOVED."""
    submitted: int
    how: str


def _score(r, s, release_ids, defines, locked_texts, place_alone=True, position=0):
    """The alignment score of release cell `r` (a dict from `_describe`) with submitted cell `s`,
    or None when they cannot be the same cell. `place_alone`: whether an answer cell may be
    found by its place alone (no metadata, none of its unit's names, none of its template's
    lines). `position`: the submitted cell's index: of two answer cells without metadata that
    score alike, the later one is taken (the definition the student's own notebook runs its
    tests on)."""
    same_id = r["id"] is not None and s["id"] == r["id"]
    score = 0.0
    if same_id:
        score += W_METADATA + (W_SETTINGS if s["settings"] == r["settings"] else 0.0)
    elif s["id"] in release_ids:
        score += W_OTHER_CLAIM
    if r["cell_id"] and s["cell_id"] == r["cell_id"]:
        score += W_CELL_ID
    same_type = s["type"] == r["type"]
    if r["role"] == ANSWER:
        if not same_type and not same_id:
            return None
        if s["lines"] in locked_texts and not same_id:
            return None             # a copy of given code or of a test is not an answer
        names = defines.get(r["id"]) or ()
        share = (len(set(names) & s["names"]) / len(names)) if names else 0.0
        given = r["given_lines"]
        kept = len(given & s["stripped"]) / len(given) if given else 0.0
        answered = bool(s["lines"]) and s["lines"] != r["lines"]
        if not (place_alone or same_id or share or kept):
            return None
        return (score + W_PLACE + W_DEFINES * share + W_TEMPLATE * kept
                + (W_ANSWERED if answered else 0.0) + (0.0 if same_id else W_LATER * position))
    sim = similarity(r["lines"], s["lines"]) if same_type else 0.0
    if sim >= MIN_SIMILARITY:
        return score + W_ANCHOR[r["role"]] * sim + (W_EXACT if sim == 1.0 else 0.0)
    return score if same_id else None


def _describe(cell):
    """What the matcher compares of a cell."""
    meta = _meta(cell)
    source = cell.get("source", "")
    lines = _lines(source)
    stripped = {line.strip() for line in lines}
    cell_id = cell.get("id")
    return {"id": grade_id(cell), "role": role(cell), "type": cell.get("cell_type"),
            "lines": lines, "stripped": stripped, "given_lines": stripped - _PLACEHOLDERS,
            "settings": _settings(meta), "cell_id": cell_id if isinstance(cell_id, str) else None,
            "names": defined_names(source) if cell.get("cell_type") == "code" else set()}


def align(release_cells, submitted_cells, defines=None, place_alone=True):
    """{release index: `Match`} for the release cells found among the submitted cells.

    First an order-preserving alignment that maximises the summed scores (`_score`; gaps cost
    nothing, so inserted, deleted and edited cells only lose their own score); on equal totals a
    release cell takes the earliest submitted cell (the first of two copies). Then each graded
    release cell the alignment left out is looked for among the submitted cells left over, in
    any order: the first with its grade_id, else with its text (given code, tests), else (an
    answer) one that defines every name its unit defines. `place_alone`: see `_score` (a
    notebook that kept its metadata does not need it)."""
    defines = defines or {}
    rel = [_describe(c) for c in release_cells]
    sub = [_describe(c) for c in submitted_cells[:MAX_ALIGNED]]
    release_ids = {r["id"] for r in rel if r["id"]}
    locked_texts = {r["lines"] for r in rel if r["role"] in (TEST, GIVEN) and r["lines"]}
    n, m = len(rel), len(sub)
    score = [[_score(rel[i], sub[j], release_ids, defines, locked_texts, place_alone, j) for j in range(m)]
             for i in range(n)]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            here = max(best[i + 1][j], best[i][j + 1])
            if score[i][j] is not None:
                here = max(here, score[i][j] + best[i + 1][j + 1])
            best[i][j] = here
    matches, i, j = {}, 0, 0
    while i < n and j < m:
        if score[i][j] is not None and score[i][j] + best[i + 1][j + 1] >= best[i][j] - _EPS:
            matches[i] = Match(j, _how(rel[i], sub[j], defines))
            i, j = i + 1, j + 1
        elif best[i][j + 1] >= best[i][j] - _EPS:
            j += 1
        else:
            i += 1
    used = {mt.submitted for mt in matches.values()}
    for i, r in enumerate(rel):
        if i in matches or r["role"] == TEXT:
            continue
        names = set(defines.get(r["id"]) or ())
        finders = [lambda s: s["id"] == r["id"]]
        if r["role"] in (TEST, GIVEN):
            finders.append(lambda s: s["type"] == r["type"] and s["lines"] == r["lines"] and s["id"] is None)
        elif names:
            finders.append(lambda s: s["type"] == r["type"] and names <= s["names"] and s["id"] is None
                           and s["lines"] not in locked_texts)
        for found in finders:
            j = next((j for j, s in enumerate(sub) if j not in used and found(s)), None)
            if j is not None:
                matches[i] = Match(j, MOVED)
                used.add(j)
                break
    return matches


def _how(r, s, defines):
    if r["id"] is not None and s["id"] == r["id"]:
        return BY_METADATA
    if r["role"] != ANSWER:
        return BY_CONTENT
    names = set(defines.get(r["id"]) or ())
    return BY_CONTENT if names and names <= s["names"] else BY_PLACE


# ---------------------------------------------------------------------------------------------
# The repair
# ---------------------------------------------------------------------------------------------

# Kinds of repair, and how the student reads those of one kind (`_sentence`).
COPY = "copy"                   # a second cell named as a release cell: its metadata removed
FOREIGN = "foreign"             # metadata naming no release cell: removed
DEMOTED = "demoted"             # a test cell made ungraded: its unit scores 0
POINTS = "points"               # a test cell's points changed: the release's restored
SETTINGS = "settings"           # other grading settings changed: the release's restored
FOUND_BY_CONTENT = BY_CONTENT   # a cell without (or with another cell's) metadata found by its text
FOUND_BY_PLACE = BY_PLACE       # an answer cell found by its place alone
# MOVED: a cell found out of the release's order
CHOSEN = "chosen"               # an answer without metadata, of several cells defining its names
PUT_BACK = "put back"           # a test or written-answer cell not found: the release's inserted
NOT_FOUND = "not found"         # an answer cell not found: its unit scores 0
GIVEN_NOT_FOUND = "given not found"   # a given cell not found (staff record only)


@dataclasses.dataclass
class Repair:
    """One repair (`kind`): the release cell concerned (None: a cell the release does not have),
    the cell's number in the submitted notebook, its unit, and what was found and done (the
    staff's record, in words)."""
    kind: str
    cell: str = None
    at: int = None            # 1-based cell number in the submitted notebook
    unit: str = None
    what: str = "cell"        # "test cell", "answer cell", ... (the release cell's role)
    found: str = ""
    done: str = ""
    claimed: str = ""         # for FOREIGN and POINTS: what the cell claimed
    others: tuple = ()        # FOUND_BY_PLACE, CHOSEN: other cells at that place that could be it

    def record(self):
        return {k: (list(v) if isinstance(v, tuple) else v)
                for k, v in dataclasses.asdict(self).items() if v not in (None, "", ())}


MAX_NAMED = 4        # cells named in one sentence; the record lists them all


def _names(repairs, at=True):
    named = [f"`{r.cell}`" + (f" (cell {r.at})" if at and r.at else "") for r in repairs]
    if len(named) > MAX_NAMED:
        return ", ".join(named[:MAX_NAMED - 1]) + f" and {len(named) - MAX_NAMED + 1} more"
    return ", ".join(named)


def _plural(repairs, what):
    return what if len(repairs) == 1 else what.replace("cell", "cells")


def _either(repairs, one, many):
    return one if len(repairs) == 1 else many


def _sentence(kind, repairs):
    """What the student reads about the repairs of one kind ("" for staff-only records)."""
    first = repairs[0]
    same_role = first.what if all(r.what == first.what for r in repairs) else "cell"
    if kind == COPY:
        return "; ".join(f"a copy of {r.what} `{r.cell}` (cell {r.at}) was not graded: one cell of "
                         "each is graded" for r in repairs)
    if kind == FOREIGN:
        return "; ".join(f"cell {r.at} claimed to be a graded cell ({r.claimed}) that the assignment "
                         "does not have: it was kept as an ordinary cell" for r in repairs)
    if kind == DEMOTED:
        by_unit = {}
        for r in repairs:
            by_unit.setdefault(r.unit, []).append(r)
        return "; ".join(f"{_plural(rs, 'test cell')} {_names(rs, at=False)} had been changed into "
                         f"{_either(rs, 'an ungraded cell', 'ungraded cells')}, so unit `{unit}` scores 0"
                         for unit, rs in by_unit.items())
    if kind == POINTS:
        claimed = ", ".join(sorted({r.claimed for r in repairs}))
        return (f"{_plural(repairs, 'test cell')} {_names(repairs, at=False)} claimed other points "
                f"({claimed}): the assignment's points count")
    if kind == SETTINGS:
        return (f"the grading settings of {_names(repairs, at=False)} had been changed: the "
                "assignment's were restored")
    if kind == FOUND_BY_CONTENT:
        return (f"{_plural(repairs, same_role)} {_names(repairs)} had lost "
                f"{_either(repairs, 'its grading metadata and was found by its', 'their grading metadata and were found by their')} "
                "content")
    if kind == FOUND_BY_PLACE:
        what = same_role if same_role != "cell" else "answer cell"
        names = ", ".join(f"`{r.cell}` (cell {r.at}" + (
            f"; {_either(r.others, 'cell', 'cells')} {', '.join(map(str, r.others))} could also be it"
            if r.others else "") + ")" for r in repairs)
        return (f"{_plural(repairs, what)} {names} {_either(repairs, 'was', 'were')} found by "
                f"{_either(repairs, 'its', 'their')} place in the notebook: check that "
                f"{_either(repairs, 'it is', 'they are')} your answer")
    if kind == CHOSEN:
        return "; ".join(f"cells {', '.join(map(str, sorted([*r.others, r.at])))} each define what "
                         f"{r.what} `{r.cell}` defines: cell {r.at} was graded (check that it holds "
                         "your answer)" for r in repairs)
    if kind == MOVED:
        return "; ".join(f"{r.what} `{r.cell}` was found at another place (cell {r.at}) and graded there"
                         for r in repairs)
    if kind == PUT_BACK:
        tests = [r for r in repairs if r.what == "test cell"]
        written = [r for r in repairs if r.what != "test cell"]
        said = []
        if tests:
            said.append(f"{_plural(tests, 'test cell')} {_names(tests, at=False)} "
                        f"{_either(tests, 'was', 'were')} not found in your notebook: the assignment's "
                        f"{_either(tests, 'was', 'were')} put back and run on your answer")
        if written:
            said.append(f"{_plural(written, 'written-answer cell')} {_names(written, at=False)} "
                        f"{_either(written, 'was', 'were')} not found in your notebook: "
                        f"{_either(written, 'it counts', 'they count')} as unanswered")
        return "; ".join(said)
    if kind == NOT_FOUND:
        return "; ".join(f"the answer cell `{r.cell}` was not found in your notebook, so unit "
                         f"`{r.unit}` scores 0" for r in repairs)
    return ""


NO_METADATA = "no metadata"
METADATA_LOST = ("your notebook had lost its grading metadata (some editors and notebook services "
                 "drop it), so its cells were matched to the assignment's by their content and place")


@dataclasses.dataclass
class Restructured:
    """What `restore_structure` made of a notebook."""
    notebook: object          # the notebook to grade (the input itself when `changed` is False)
    changed: bool
    repairs: list             # [Repair]
    matched: dict             # {"metadata": n, "content": n, "position": n, "moved": n, "missing": n}
    metadata_lost: bool       # most graded cells had lost their metadata: matched by content and place

    def shown(self, repair):
        """Whether the student reads `repair` (cells found by their content in a notebook that lost
        all its metadata are said once for all)."""
        return bool(_sentence(repair.kind, [repair])) and not (
            self.metadata_lost and repair.kind == FOUND_BY_CONTENT)

    def sentences(self, unit=None):
        """The student's sentences about the repairs (of `unit`'s cells only, when given)."""
        kinds = {}
        for repair in self.repairs:
            # a unit scored 0 for demoted test cells: their failure message says so already
            if self.shown(repair) and (unit is None or (repair.unit == unit and repair.kind != DEMOTED)):
                kinds.setdefault(repair.kind, []).append(repair)
        out = [METADATA_LOST] if self.metadata_lost and unit is None else []
        return out + [_sentence(kind, repairs) for kind, repairs in kinds.items()]

    def summary(self):
        """The student's sentences, one paragraph ("" when nothing was repaired)."""
        return "; ".join(self.sentences())

    def record(self):
        return {"matched": self.matched, "metadata_lost": self.metadata_lost,
                "repairs": [r.record() for r in self.repairs]}


def _shown_name(text):
    """A name the student's metadata gave, safe to show (feedback pages, reports render it)."""
    return re.sub(r"[^\w.-]", "?", str(text))[:40]


def _shown_points(value):
    """Points the student's metadata claimed, as a number (or "?")."""
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError, OverflowError):
        return "?"


def _units_of_tests(release_cells, unit_of_test=None):
    """{test grade_id: unit}: from `unit_of_test` (the unit table) where it knows the test, else
    the answer cell above the test in the release."""
    units, current = {}, None
    for cell in release_cells:
        kind, gid = role(cell), grade_id(cell)
        if kind == ANSWER:
            current = gid
        elif kind == TEST:
            units[gid] = (unit_of_test or {}).get(gid) or current or gid
    return units


def _what(cell):
    """The student's name for a release cell's role."""
    kind = role(cell)
    if kind == ANSWER:
        return "written-answer cell" if _meta(cell).get("grade") else "answer cell"
    return {TEST: "test cell", GIVEN: "given cell"}.get(kind, "cell")


def _restorable_by_nbgrader(release_cells, submitted_cells):
    """Whether nbgrader's own restoring of deleted grade cells (`add_missing_cells`) can put back
    every release grade cell missing from the submission: it inserts each after the cell before
    it among the release's nbgrader cells, and fails unless that one is a present grade or answer
    cell."""
    present = {grade_id(c) for c in submitted_cells if grade_id(c) and
               (_meta(c).get("grade") or _meta(c).get("solution"))}
    previous = None
    for cell in release_cells:
        gid = grade_id(cell)
        if not gid:
            continue
        if _meta(cell).get("grade") and gid not in present and previous not in present:
            return False
        previous = gid
    return True


def consistent(release_cells, submitted_cells):
    """Whether nbgrader can grade the submission as it is: every nbgrader metadata a cell carries
    names a release cell once, with the release's settings and cell type, every autograded
    answer cell is there (nbgrader never puts one back), and whatever release grade cell is
    missing (tests, written answers) nbgrader puts back itself."""
    release = {grade_id(c): c for c in release_cells if grade_id(c)}
    answers = {gid for gid, c in release.items() if role(c) == ANSWER and not _meta(c).get("grade")}
    seen = set()
    for cell in submitted_cells:
        metadata = cell.get("metadata")
        if not isinstance(metadata, dict):
            return False
        if "nbgrader" not in metadata:
            continue
        gid = grade_id(cell)
        if gid is None or gid not in release or gid in seen or not isinstance(metadata["nbgrader"], dict):
            return False
        seen.add(gid)
        if (_settings(_meta(cell)) != _settings(_meta(release[gid]))
                or cell.get("cell_type") != release[gid].get("cell_type")):
            return False
    return answers <= seen and _restorable_by_nbgrader(release_cells, submitted_cells)


def _fresh_metadata(cell, release_cell):
    """The release cell's nbgrader metadata and edit flags on `cell`; its other metadata kept."""
    metadata = cell.get("metadata")
    metadata = dict(metadata) if isinstance(metadata, dict) else {}
    for key in ("nbgrader", "deletable", "editable"):
        metadata.pop(key, None)
        if key in release_cell.metadata:
            metadata[key] = copy.deepcopy(release_cell.metadata[key])
    cell["metadata"] = from_dict(metadata)


def _plain(cell):
    """`cell` without nbgrader metadata or the locks that came with it."""
    metadata = cell.get("metadata")
    metadata = dict(metadata) if isinstance(metadata, dict) else {}
    metadata.pop("nbgrader", None)
    for key in ("deletable", "editable"):
        if metadata.get(key) is False:
            metadata.pop(key)
    cell["metadata"] = from_dict(metadata)


def _retype(cell, cell_type):
    """`cell` made a `cell_type` cell again (its text kept)."""
    cell["cell_type"] = cell_type
    if cell_type == "code":
        cell.setdefault("outputs", [])
        cell.setdefault("execution_count", None)
        cell.pop("attachments", None)
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def _alternatives(cells, j, in_order, names=None):
    """Cell numbers (1-based) of the other cells of cell `j`'s type between the matched cells
    around it (defining every one of `names`, when given): what an answer found by its place or
    its names could also have been."""
    before = max((k for k in in_order if k < j), default=-1)
    after = min((k for k in in_order if k > j), default=len(cells))
    return [k + 1 for k in range(before + 1, after)
            if k != j and cells[k].get("cell_type") == cells[j].get("cell_type") and k not in in_order
            and (not names or set(names) <= defined_names(cells[k].get("source", "")))]


def _released_copy(release_cell):
    cell = copy.deepcopy(release_cell)
    if cell.get("cell_type") == "code":
        cell["outputs"], cell["execution_count"] = [], None
    return cell


def _unique_ids(nb):
    """Cell ids unique again (copies carry their original's id)."""
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) < (4, 5):
        for cell in nb.cells:
            cell.pop("id", None)
        return
    from nbformat.corpus.words import generate_corpus_id
    seen = set()
    for cell in nb.cells:
        if not isinstance(cell.get("id"), str) or not cell["id"] or cell["id"] in seen:
            cell["id"] = generate_corpus_id()
            while cell["id"] in seen:
                cell["id"] = generate_corpus_id()
        seen.add(cell["id"])


def restore_structure(nb, release_nb, defines=None, unit_of_test=None):
    """`Restructured`: `nb` with the release's graded cells found and their metadata restored
    (see the module docstring). `defines`: {answer grade_id: names its unit defines};
    `unit_of_test`: {test grade_id: unit id} (the unit table), both optional."""
    release_cells = release_nb.cells
    if consistent(release_cells, nb.cells):
        return Restructured(nb, False, [], {}, False)
    submitted = nb
    nb = copy.deepcopy(nb)
    cells = nb.cells
    graded_ids = {grade_id(c) for c in release_cells if grade_id(c)}
    claimed = graded_ids & {grade_id(c) for c in cells}
    matches = align(release_cells, cells, defines, place_alone=len(claimed) * 2 < len(graded_ids))
    by_submitted = {mt.submitted: i for i, mt in matches.items() if grade_id(release_cells[i])}
    units = _units_of_tests(release_cells, unit_of_test)
    graded = [i for i, c in enumerate(release_cells) if grade_id(c)]
    counts = {BY_METADATA: 0, BY_CONTENT: 0, BY_PLACE: 0, MOVED: 0, "missing": 0}
    for i in graded:
        counts[matches[i].how if i in matches else "missing"] += 1
    found = [i for i in graded if i in matches]
    # "lost its metadata": most of the graded cells it still has carry no metadata of theirs
    metadata_lost = bool(found) and sum(1 for i in found if grade_id(cells[matches[i].submitted])
                                        == grade_id(release_cells[i])) * 2 < len(found)
    repairs, zero_units = [], set()
    in_order = sorted(mt.submitted for mt in matches.values() if mt.how != MOVED)

    def unit_of(release_cell):
        kind, gid = role(release_cell), grade_id(release_cell)
        return units.get(gid) if kind == TEST else gid if kind == ANSWER else None

    # cells the release does not have as graded cells: their nbgrader metadata goes
    for j, cell in enumerate(cells):
        if j in by_submitted or "nbgrader" not in (cell.get("metadata") or {}):
            continue
        gid, meta = grade_id(cell), _meta(cell)
        named = next((c for c in release_cells if gid and grade_id(c) == gid), None)
        if named is not None:
            repairs.append(Repair(COPY, gid, j + 1, unit_of(named), _what(named),
                                  f"cell {j + 1} is a second cell named {gid}", "grading metadata removed"))
        elif gid or meta.get("grade") or meta.get("solution") or meta.get("locked"):
            points = f", {_shown_points(meta.get('points'))} points" if meta.get("grade") and meta.get("points") else ""
            claim = f"{_shown_name(gid) if gid else 'unnamed'}{points}"
            repairs.append(Repair(FOREIGN, None, j + 1, found=f"cell {j + 1} claims grading metadata "
                                  f"the assignment does not have ({claim})",
                                  done="grading metadata removed", claimed=claim))
        _plain(cell)

    # the release's graded cells found: the release's metadata
    for i in sorted(matches):
        release_cell, mt = release_cells[i], matches[i]
        gid = grade_id(release_cell)
        if gid is None:
            continue
        cell = cells[mt.submitted]
        kind, mine, at = role(release_cell), _meta(cell), mt.submitted + 1
        about = dict(cell=gid, at=at, unit=unit_of(release_cell), what=_what(release_cell))
        if grade_id(cell) == gid and _settings(mine) != _settings(_meta(release_cell)):
            if kind == TEST and (not mine.get("grade") or mine.get("solution")):
                zero_units.add(about["unit"])
                repairs.append(Repair(DEMOTED, **about, found=f"test cell {gid} made an ungraded cell",
                                      done=f"unit {about['unit']} scores 0"))
            elif kind == TEST and _settings(mine)[:-1] == _settings(_meta(release_cell))[:-1]:
                claim = _shown_points(mine.get("points"))
                repairs.append(Repair(POINTS, **about, found=f"points of {gid} changed to {claim}",
                                      done="the assignment's points restored", claimed=claim))
            else:
                repairs.append(Repair(SETTINGS, **about, found=f"grading settings of {gid} changed",
                                      done="the assignment's settings restored"))
        names = (defines or {}).get(gid)
        rivals = (_alternatives(cells, mt.submitted, in_order, names)
                  if mt.how == FOUND_BY_CONTENT and kind == ANSWER and names else [])
        if mt.how == MOVED:
            repairs.append(Repair(MOVED, **about, found=f"{gid} found out of the release's order",
                                  done="graded where it is"))
        elif mt.how == FOUND_BY_PLACE:
            others = _alternatives(cells, mt.submitted, in_order)
            repairs.append(Repair(FOUND_BY_PLACE, **about, others=tuple(others), done="graded as that cell",
                                  found=f"no metadata; {gid} taken by its place" + (
                                      f" (other candidates: cells {', '.join(map(str, others))})" if others else "")))
        elif rivals:
            repairs.append(Repair(CHOSEN, **about, others=tuple(rivals), done=f"cell {at} graded",
                                  found=f"no metadata; cells {', '.join(map(str, sorted(rivals + [at])))} "
                                        f"define {', '.join(names)}"))
        elif mt.how == FOUND_BY_CONTENT:
            repairs.append(Repair(FOUND_BY_CONTENT, **about, done="matched by content",
                                  found=NO_METADATA if grade_id(cell) is None else f"metadata of {grade_id(cell)}"))
        if cell.get("cell_type") != release_cell.cell_type:
            repairs.append(Repair(SETTINGS, **about, found=f"{gid} made a {cell.get('cell_type')} cell",
                                  done=f"made a {release_cell.cell_type} cell again"))
            _retype(cell, release_cell.cell_type)
        _fresh_metadata(cell, release_cell)

    # release grade cells not found: tests and written answers put back at their place; a
    # missing answer cell stays missing (its unit scores 0, and the grader says so)
    after = {}          # submitted index (-1: the top) -> release cells to insert after it
    last = -1
    for i, release_cell in enumerate(release_cells):
        if i in matches:
            last = matches[i].submitted if matches[i].how != MOVED else last
            continue
        gid = grade_id(release_cell)
        if gid is None:
            continue
        kind = role(release_cell)
        about = dict(cell=gid, unit=unit_of(release_cell), what=_what(release_cell))
        if kind == TEST or (kind == ANSWER and _meta(release_cell).get("grade")):
            after.setdefault(last, []).append(_released_copy(release_cell))
            repairs.append(Repair(PUT_BACK, **about, found=f"{gid} not found",
                                  done="the release's cell inserted"))
        elif kind == ANSWER:
            repairs.append(Repair(NOT_FOUND, **about, found=f"{gid} not found",
                                  done=f"unit {about['unit']} scores 0"))
        else:
            repairs.append(Repair(GIVEN_NOT_FOUND, **about, found=f"{gid} not found", done="left out"))
    rebuilt = list(after.get(-1, []))
    for j, cell in enumerate(cells):
        rebuilt.append(cell)
        rebuilt.extend(after.get(j, []))
    nb.cells = rebuilt

    if nb == submitted:        # nothing to change (an answer cell not found is graded as missing)
        return Restructured(submitted, False, repairs, counts, metadata_lost)
    result = Restructured(nb, True, repairs, counts, metadata_lost)
    for cell in nb.cells:
        gid = grade_id(cell)
        if role(cell) == TEST and units.get(gid) in zero_units:
            cell.metadata[MARK] = {"zero": True, "note": (
                f"Your notebook turned test cells of unit `{units[gid]}` into ungraded cells (their "
                "grading metadata was changed): the unit scores 0. Keep test cells as released.")}
    for unit in {r.unit for r in repairs if r.unit and result.shown(r)}:
        # the unit's sentences, for its row of the feedback summary: on its answer cell, else on
        # its first test cell
        holder = next((c for c in nb.cells if role(c) == ANSWER and grade_id(c) == unit), None) or \
            next((c for c in nb.cells if role(c) == TEST and units.get(grade_id(c)) == unit
                  and MARK not in c.metadata), None)
        if holder is not None:
            holder.metadata[MARK] = {"note": "; ".join(result.sentences(unit))}
    _unique_ids(nb)
    return result


def unit_note(cells):
    """The repairs' sentences intake left on a unit's cells (`MARK`; not the failure message of a
    test cell it marked to score 0, which the cell's output already says), or ""."""
    notes = []
    for cell in cells:
        mark = cell.get("metadata", {}).get(MARK)
        if isinstance(mark, dict) and mark.get("note") and not mark.get("zero") and mark["note"] not in notes:
            notes.append(str(mark["note"]))
    return "; ".join(notes)


# ---------------------------------------------------------------------------------------------
# After trusted grading: the verdicts a restored structure decides
# ---------------------------------------------------------------------------------------------

try:
    from nbgrader.preprocessors import NbGraderPreprocessor
except ImportError:          # the matcher works without nbgrader
    NbGraderPreprocessor = object


class StructureVerdicts(NbGraderPreprocessor):
    """Autograde, after `TrustedGrading`: a test cell intake marked to score 0 (its unit's test
    cells were turned into ungraded cells) fails with the sentence that says why, whatever the
    trusted grading found; no other cell changes."""

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            mark = cell.get("metadata", {}).get(MARK)
            if cell.get("cell_type") == "code" and isinstance(mark, dict) and mark.get("zero") \
                    and _meta(cell).get("grade"):
                from grader_tests.framework.contract.verdict import Hint, Verdict
                from grader_tests.framework.pipeline.nbgrader_plugins import failure_output, record_verdict
                message = mark.get("note") or "This test cell's grading settings were changed: 0 points."
                found = Verdict(False, hint=Hint("structure:test_cell_changed", message), symptom="contract")
                record_verdict(cell, found)
                cell.outputs = [failure_output(found)]
        return nb, resources
