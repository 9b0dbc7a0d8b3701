"""Self-check: which units of a notebook are answered, and do their visible tests pass?

Run the notebook's last cell, or from a terminal in the assignment's folder:

    python selfcheck.py [NOTEBOOK.ipynb ...]        # default: every notebook in this folder

It reads each notebook as last saved (save it first), and in a separate Python process (your
open notebook is left alone) runs the notebook's setup cell and given definitions, then every
answer cell followed by the visible tests of its unit, each test on its own, in notebook order:
units that build on others use your own versions of them. One line per unit says whether it is
answered, whether its visible tests pass (or which one fails first, and why) and how many points
it carries. Hidden tests decide the points: passing the visible tests shows the basics work, not
that the answer is right. Training and data-loading cells are not run, so it takes seconds.

It needs nothing but this folder and the packages the notebook imports (it ships with the
release; nbgrader is not needed). While nbgrader runs the notebook (autograde, validate) the
check prints one line and does nothing.
"""
import ast
import contextlib
import io
import json
import os
import pathlib
import subprocess
import sys
import time

# What a release's unanswered code cell raises (the course's nbgrader code stub), and nbgrader's
# own placeholders: an answer cell still holding one is not (fully) answered.
STUB_MESSAGE = "Not answered yet: replace this line with your code"
CODE_PLACEHOLDERS = (STUB_MESSAGE, "raise NotImplementedError()")
TEXT_PLACEHOLDER = "YOUR ANSWER HERE"
UNIT_SECONDS = 60           # one unit's answer and visible tests (where the OS has SIGALRM)
NOTEBOOK_SECONDS = 300      # the whole check of one notebook
MAX_MESSAGE = 160
RECORD = "SELFCHECK "       # how the checking process reports each unit to the printing one
REMINDER = ("Hidden tests decide your points: passing the visible tests shows the basics work, "
            "not that your answer is right.")


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _text(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _has_code(source):
    """Whether `source` holds a statement (a test cell whose checks are all hidden holds only
    comments in a release)."""
    try:
        return bool(ast.parse(source).body)
    except SyntaxError:
        return True


def _is_definitions(source):
    """Given code that only imports and defines (functions, classes, constants): safe and quick
    to run. Data loading, training and plotting cells are not."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    kinds = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for node in tree.body:
        if isinstance(node, kinds):
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None \
                and not any(isinstance(n, ast.Call) for n in ast.walk(node.value)):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):   # a docstring
            continue
        return False
    return bool(tree.body)


def units_of(nb):
    """[(unit id, kind, answer cell index, [test cell indexes], points)] in notebook order: a
    unit is an answer cell (kind "code" or "written"); a test cell `test_<unit>` or
    `test_<unit>_<aspect>` belongs to the unit with the longest such id."""
    cells = nb.get("cells", [])
    answers = [(i, _meta(c)["grade_id"]) for i, c in enumerate(cells)
               if _meta(c).get("solution") and _meta(c).get("grade_id")]
    units = {gid: {"kind": "written" if cells[i].get("cell_type") == "markdown" else "code",
                   "answer": i, "tests": [], "points": float(_meta(cells[i]).get("points") or 0)
                   if _meta(cells[i]).get("grade") else 0.0} for i, gid in answers}
    for i, cell in enumerate(cells):
        meta = _meta(cell)
        if not meta.get("grade") or meta.get("solution") or cell.get("cell_type") != "code":
            continue
        test = meta.get("grade_id", "")
        owners = [u for u in units if test == f"test_{u}" or test.startswith(f"test_{u}_")]
        if owners:
            unit = units[max(owners, key=len)]
            unit["tests"].append(i)
            unit["points"] += float(meta.get("points") or 0)
    return [(gid, units[gid]["kind"], units[gid]["answer"], units[gid]["tests"], units[gid]["points"])
            for _, gid in answers]


def _short(text):
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 3] + "..."


def _describe(err):
    """`Name: message`, one line, shortened."""
    message = str(err).strip()
    return _short(f"{type(err).__name__}: {message}" if message else f"{type(err).__name__} (no message)")


def _defined_names(source):
    """The names a cell defines at its top level (classes, functions, variables)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _unanswered_owner(err):
    """The answer cell a NotImplementedError came from (its code was compiled as `<answer cell U>`),
    or None."""
    tb, owner = err.__traceback__, None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.startswith("<answer cell "):
            owner = name[len("<answer cell "):-1]
        tb = tb.tb_next
    return owner


class _TimeLimit:
    """At most `seconds` for a block, where the OS can interrupt it (SIGALRM); else no limit."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        import signal
        if hasattr(signal, "SIGALRM"):
            def stop(signum, frame):
                raise TimeoutError(f"did not finish within {self.seconds} s (an endless loop?)")
            self._old = signal.signal(signal.SIGALRM, stop)
            signal.alarm(self.seconds)
        return self

    def __exit__(self, *exc):
        import signal
        if hasattr(signal, "SIGALRM"):
            signal.alarm(0)
            signal.signal(signal.SIGALRM, self._old)
        return False


def _run(source, namespace, filename):
    """Run `source` in `namespace`; the student's prints and warnings are kept out of the report."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        exec(compile(source, filename, "exec"), namespace)


def check_in_this_process(path, emit):
    """Check one notebook, calling `emit(record)` per unit (see `main`); the code runs here."""
    nb = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    cells = nb.get("cells", [])
    units = units_of(nb)
    namespace = {"__name__": "__main__"}
    setup = next((i for i, c in enumerate(cells) if c.get("cell_type") == "code"
                  and _meta(c).get("grade_id") == "setup"),
                 next((i for i, c in enumerate(cells) if c.get("cell_type") == "code"), None))
    owner_of_test = {t: u for u, _, _, tests, _ in units for t in tests}
    state = {u: {"unit": u, "kind": kind, "points": points, "answered": None, "failure": None,
                 "tests": 0, "ran": 0} for u, kind, _, _, points in units}
    answer_of = {answer: u for u, _, answer, _, _ in units}
    seen = []                 # the units whose answer cell came so far, in order
    defined_by = {name: u for u, kind, answer, _, _ in units if kind == "code"
                  for name in _defined_names(_text(cells[answer]))}
    for index, cell in enumerate(cells):
        source = _text(cell)
        if cell.get("cell_type") != "code" and index not in answer_of:
            continue
        if index in answer_of:
            s = state[answer_of[index]]
            seen.append(s["unit"])
            if s["kind"] == "written":
                s["answered"] = source.strip() not in ("", TEXT_PLACEHOLDER)
                continue
            if not any(p in source for p in CODE_PLACEHOLDERS):
                s["answered"] = True
            else:   # a placeholder left: some code of the student's beside it, or none yet
                s["answered"] = "partly" if _differs_from_template(source) else False
            try:
                with _TimeLimit(UNIT_SECONDS):
                    _run(source, namespace, f"<answer cell {s['unit']}>")
            except NotImplementedError:
                s["answered"] = False
            except BaseException as err:   # the student's cell itself: say so and go on
                s["failure"] = f"your answer cell raises {_describe(err)}"
            continue
        if index in owner_of_test:
            s = state[owner_of_test[index]]
            if not _has_code(source):
                continue
            s["tests"] += 1
            if s["answered"] is False or s["failure"]:
                continue
            s["ran"] += 1
            try:
                with _TimeLimit(UNIT_SECONDS):
                    _run(source, dict(namespace), f"<test cell {_meta(cell).get('grade_id')}>")
            except NameError as err:    # a name another unit's answer cell should have defined
                owner = defined_by.get(getattr(err, "name", None))
                if owner and owner != s["unit"] and (state[owner]["answered"] is False or state[owner]["failure"]):
                    why = "is not answered yet" if state[owner]["answered"] is False else "does not run"
                    s["failure"] = f"its visible test uses {owner} ({err.name}), which {why}"
                else:   # the name's cell may be one that did not run: say which ones did not
                    stuck = [u for u in state if u != s["unit"] and state[u]["kind"] == "code"
                             and (state[u]["answered"] is False or state[u]["failure"]) and u in seen]
                    s["failure"] = (f"visible test {_meta(cell).get('grade_id')} fails: {_describe(err)}"
                                    + (f" (answer cells above that do not run: {', '.join(stuck)})" if stuck else ""))
            except NotImplementedError as err:
                owner = _unanswered_owner(err)
                if owner and owner != s["unit"]:
                    s["failure"] = f"its visible test uses {owner}, which is not answered yet"
                else:
                    s["failure"] = (f"visible test {_meta(cell).get('grade_id')} reaches a part "
                                    "not answered yet")
            except BaseException as err:
                s["failure"] = f"visible test {_meta(cell).get('grade_id')} fails: {_describe(err)}"
            continue
        if index == setup or (not _meta(cell).get("grade") and _is_definitions(source)):
            try:
                with _TimeLimit(UNIT_SECONDS):
                    _run(source, namespace, f"<given cell {_meta(cell).get('grade_id') or index}>")
            except BaseException as err:
                if index == setup:
                    emit({"setup_failed": _describe(err)})
                    return
    for u, _, _, _, _ in units:
        emit(state[u])


def _differs_from_template(source):
    """Whether the cell holds code of the student's besides the release's template: a line after
    a `# YOUR CODE HERE` that is not a placeholder."""
    lines = source.splitlines()
    for k, line in enumerate(lines):
        if line.strip() == "# YOUR CODE HERE":
            following = lines[k + 1:k + 2]
            if following and not any(p in following[0] for p in CODE_PLACEHOLDERS):
                return True
    return False


def line_of(record):
    """One line of the report for a unit's `record`."""
    points = f"{record['points']:g} pts"
    unit = record["unit"]
    if record["kind"] == "written":
        said = "written answer given (a TA grades it)" if record["answered"] else "written answer: not answered yet"
        return f"  [{'x' if record['answered'] else ' '}] {unit:28s} {points:>8s}  {said}"
    if record["answered"] is False:
        return f"  [ ] {unit:28s} {points:>8s}  not answered yet"
    answered = "partly answered" if record["answered"] == "partly" else "answered"
    if record["failure"]:
        return f"  [!] {unit:28s} {points:>8s}  {answered}; {record['failure']}"
    if not record["tests"]:
        return f"  [x] {unit:28s} {points:>8s}  {answered}; no visible test (hidden tests only)"
    return f"  [x] {unit:28s} {points:>8s}  {answered}; visible tests pass"


def report(path, records, stopped=None):
    """The report of one notebook as text."""
    saved = time.strftime("%Y-%m-%d %H:%M", time.localtime(pathlib.Path(path).stat().st_mtime))
    lines = [f"Self-check of {pathlib.Path(path).name} (as saved {saved}):"]
    if records and "setup_failed" in records[0]:
        return "\n".join(lines + [f"  the notebook's setup cell fails: {records[0]['setup_failed']}"])
    lines += [line_of(r) for r in records]
    if stopped:
        lines.append(f"  (stopped: {stopped})")
    answered = [r for r in records if r["answered"]]
    failing = [r for r in answered if r["failure"]]
    total = sum(r["points"] for r in records)
    lines.append(f"{len(answered)} of {len(records)} units answered ({sum(r['points'] for r in answered):g} of "
                 f"{total:g} points at stake), {len(failing)} of them with a failing visible test. {REMINDER}")
    return "\n".join(lines)


def check(*notebooks, timeout=NOTEBOOK_SECONDS):
    """Print the self-check of `notebooks` (default: every notebook in the working folder), each
    checked in a separate Python process."""
    if os.environ.get("NBGRADER_EXECUTION") or os.environ.get("NBGRADER_VALIDATING"):
        print("Self-check skipped: nbgrader is running this notebook.")
        return
    paths = [pathlib.Path(n) for n in notebooks] or sorted(
        p for p in pathlib.Path.cwd().glob("*.ipynb") if not p.name.startswith("."))
    env = {**os.environ, "MPLBACKEND": "Agg", "COURSE_SHORT_SCHEDULE": "1", "PYTHONIOENCODING": "utf-8"}
    for path in paths:
        if not path.is_file():
            print(f"Self-check: no notebook {path} here (run it in the assignment's folder).")
            continue
        proc = subprocess.Popen([sys.executable, str(pathlib.Path(__file__).resolve()), "--child", str(path)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                cwd=str(path.resolve().parent))
        stopped = None
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            stopped = f"the check did not finish within {timeout} s"
        records = [json.loads(line[len(RECORD):]) for line in out.splitlines() if line.startswith(RECORD)]
        if proc.returncode and not records and not stopped:
            stopped = "the check itself failed: " + _short((err.strip().splitlines() or ["?"])[-1])
        print(report(path, records, stopped))


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        sys.path.insert(0, str(pathlib.Path(argv[1]).resolve().parent))
        out = sys.stdout
        check_in_this_process(argv[1], lambda record: print(RECORD + json.dumps(record), file=out, flush=True))
        return 0
    check(*argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
