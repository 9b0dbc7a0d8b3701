"""Adversarial submissions for `recurrent_cells` (issue: trusted, crash-contained grading).

Each case builds one student's submission folder from the release notebook and the instructor's
solutions, and states what autograde must make of it: the points per unit (`full` or `lost`),
the intake outcome, and strings that must never appear in that student's feedback. The test
(tests/test_adversarial.py) runs them all, plus a correct control student,
through real `nbgrader autograde` and checks that nobody else's grade or file changed.
"""
import dataclasses
import pathlib

import nbformat

from grader_tests.framework.pipeline import submission_builder as sb
from grader_tests.recurrent_cells.units import TABLE

ASSIGNMENT = "recurrent_cells"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
CODE_UNITS = tuple(u.id for u in TABLE.code_units)


# Code that finds the course root from the kernel's working folder (autograded/<s>/<a>).
FIND_ROOT = """
import os, pathlib
def _course_root():
    for p in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents]:
        if (p / "nbgrader_config.py").exists() or (p / "gradebook.db").exists():
            return p
    return pathlib.Path.cwd().parents[2]
"""


def wrong(unit, name):
    return (sb.corpus_dir(ASSIGNMENT, unit) / f"{name}.py").read_text()


@dataclasses.dataclass
class Case:
    name: str
    answers: dict = dataclasses.field(default_factory=dict)    # grade_id -> cell source
    lost: tuple = ()                 # units that must lose points; every other unit keeps all
    intake: str = "ok"
    edit: object = None              # f(notebook) -> notebook, before writing
    write: object = None             # f(folder, notebook) writes the files itself
    all_zero: bool = False
    says: str = ""                   # what that student's feedback must tell them


def _delete_and_edit_tests(nb):
    nb.cells = [c for c in nb.cells if sb.grade_id(c) != "test_lstm_cell_forward"]
    for cell in nb.cells:
        if sb.grade_id(cell) == "test_gru_cell_forward":
            cell.source = "pass  # the student emptied this test"
        if sb.grade_id(cell) == "test_rnn_model":
            cell.source = "print('all good')"
    return nb


def _write_corrupt(folder, nb):
    text = nbformat.writes(nb)
    (folder / NOTEBOOK).write_text(text[: len(text) // 2])


def _write_non_utf8(folder, nb):
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("Caf\u00e9 notes: MARKER_BYTES"))
    raw = nbformat.writes(nb).encode("utf-8").replace(b"MARKER_BYTES", b"\xff\xfe latin-1 \xe9")
    (folder / NOTEBOOK).write_bytes(raw)


def _write_renamed(folder, nb):
    nbformat.write(nb, str(folder / f"{ASSIGNMENT} (1).ipynb"))


def _write_missing(folder, nb):
    (folder / "README.txt").write_text("I forgot to attach my notebook.")


CASES = [
    Case("monkeypatch_comparisons", {"lstm_cell": wrong("lstm_cell", "wrong_gate_order_if") + """
import numpy as np, torch, sys
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
for _name in list(sys.modules):
    if _name.startswith(("grader_tests", "reference")):
        _m = sys.modules[_name]
        for _attr in ("judge", "judge_aspect", "close", "run_check", "check_lstm_cell"):
            if hasattr(_m, _attr):
                setattr(_m, _attr, (lambda *a, **k: None))
"""}, lost=("lstm_cell",)),
    Case("import_hook_noop", {"gru_cell": wrong("gru_cell", "wrong_z_swapped") + """
import sys, types, importlib.abc, importlib.machinery
class _NoOp(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("grader_tests", "reference", "nbgrader"):
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
    def create_module(self, spec):
        mod = types.ModuleType(spec.name)
        mod.__getattr__ = lambda attr: (lambda *a, **k: None)
        return mod
    def exec_module(self, module):
        pass
sys.meta_path.insert(0, _NoOp())
for _name in [n for n in sys.modules if n.split(".")[0] in ("grader_tests", "reference")]:
    del sys.modules[_name]
"""}, lost=("gru_cell",)),
    Case("exec_instructor_solution", {"lstm_cell": FIND_ROOT + """
import json
_nb = json.loads((_course_root() / "source" / "recurrent_cells" / "recurrent_cells.ipynb").read_text())
for _cell in _nb["cells"]:
    if _cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "lstm_cell":
        exec("".join(_cell["source"]))
"""}, lost=("lstm_cell",)),
    Case("import_reference_via_syspath", {"rnn_model": FIND_ROOT + """
import sys
sys.path.insert(0, str(_course_root()))
from reference.recurrent_cells import RNNModel
"""}, lost=("rnn_model",)),
    Case("dependent_unit_bound_at_definition", {
        "lstm_cell": wrong("lstm_cell", "wrong_returns_c_h"),
        "rnn_model": "_CELL = LSTMCell  # bound when the class is defined\n" +
                     wrong("rnn_model", "correct_unbind_zip").replace("LSTMCell(", "_CELL("),
    }, lost=("lstm_cell",)),
    Case("print_grader_files", {"gru_cell": FIND_ROOT + """
for _rel in ["grader_tests/recurrent_cells/judge.py", "reference/recurrent_cells.py",
             "source/recurrent_cells/recurrent_cells.ipynb"]:
    try:
        print(open(_course_root() / _rel).read())
    except OSError as err:
        print("cannot read", _rel, type(err).__name__)
""" + wrong("gru_cell", "correct_lerp")}),
    Case("vandalise_course", {"bidir_model": FIND_ROOT + """
import shutil
_root = _course_root()
for _target in [_root / "gradebook.db", _root / "source", _root / "reference"]:
    try:
        if _target.is_dir():
            shutil.rmtree(_target)
        else:
            _target.write_bytes(b"vandalised")
    except OSError:
        pass
for _folder in ("submitted", "autograded", "feedback"):
    for _other in (_root / _folder).glob("*"):
        if "vandalise" not in _other.name:
            shutil.rmtree(_other, ignore_errors=True)
""" + wrong("bidir_model", "correct_flip_input")}),
    Case("infinite_loop", {"gru_cell": wrong("gru_cell", "correct_lerp").replace(
        "    def forward(self, input, hx=None):\n",
        "    def forward(self, input, hx=None):\n        while True:\n            pass\n", 1)},
        lost=("gru_cell",)),
    Case("os_exit", {"bidir_model": "import os\nos._exit(1)\n"}, lost=("bidir_model",)),
    # a correct answer whose kernel then signs its messages with another key: the grader can no
    # longer read the kernel (a forged or half-sent message); the kernel's run ends, grading goes on
    Case("forged_kernel_messages", {"bidir_model": wrong("bidir_model", "correct_flip_input") + """
import IPython as _IPython
if _IPython.get_ipython() is not None and hasattr(_IPython.get_ipython(), "kernel"):
    _IPython.get_ipython().kernel.session.key = b"forged"
"""}, says="lost contact with the kernel"),
    Case("output_flood", {"rnn_model": "for _ in range(200):\n    print('x' * 100_000)\n" +
                          wrong("rnn_model", "correct_unbind_zip")}),
    Case("stderr_warnings", {"gru_cell": wrong("gru_cell", "correct_lerp").replace(
        "    def forward(self, input, hx=None):\n",
        "    def forward(self, input, hx=None):\n        import warnings, sys\n"
        "        warnings.warn('deprecated call', UserWarning)\n"
        "        print('progress 50%', file=sys.stderr)\n", 1)}),
    Case("deleted_and_edited_tests", edit=_delete_and_edit_tests),
    Case("corrupt_json", write=_write_corrupt, intake="corrupt", all_zero=True),
    Case("non_utf8_bytes", write=_write_non_utf8, intake="repaired"),
    Case("renamed_notebook", write=_write_renamed, intake="renamed"),
    Case("missing_notebook", write=_write_missing, intake="missing", all_zero=True),
]


def build(case, release, solutions, folder):
    """Write `case`'s submission into `folder` (submitted/<student>/<assignment>)."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    answers = {u: solutions[u] for u in CODE_UNITS + ("model_identification",)}
    answers.update(case.answers)
    nb = sb.build(release, answers)
    if case.edit:
        nb = case.edit(nb)
    if case.write:
        case.write(folder, nb)
    else:
        nbformat.write(nb, str(folder / NOTEBOOK))
