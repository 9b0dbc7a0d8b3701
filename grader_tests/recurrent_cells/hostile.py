"""Hostile `recurrent_cells` submissions that go after the machine, not the grade.

Each case is a correct submission plus code that tries to take resources from the students
graded beside it; the code prints what it achieved as one line `HOSTILE <case> {json}` in the
kernel's output (kept in the autograded notebook), so the test and `tools/bench_hostile.py` can
compare what it got with and without the per-submission limits. Every case is bounded (a fixed
number of processes, bytes and seconds) so that even without limits a run never endangers the
machine: at most 1,500 sleeping processes, 3.6 GB of memory, 1.5 GB of files per case.

Most cases add a cell of their own after the given imports (it runs in the kernel only); the
busy-background case sits in an answer cell, so its loops also start in the grader's probe
process, and `detector_off` answers `lstm_cell` with torch's fused kernel reached with the
grader's function mode taken off the stack (the from-scratch rule must still catch it).
"""
import dataclasses

import nbformat
from nbformat.v4 import new_code_cell

from grader_tests.framework.pipeline import submission_builder as sb
from grader_tests.recurrent_cells import adversarial as adv

MARK = "HOSTILE"
# what the bounded attacks aim for (without limits they get all of it)
CHILDREN = 1500
MEMORY_PROCESSES, MEMORY_EACH = 6, 600 * 2**20
TMP_BYTES = FOLDER_BYTES = 1536 * 2**20
BUSY_LOOPS, BUSY_SECONDS = 4, 25
JUNK_SUBMITTED = 8 * 2**20     # a file submitted beside the notebook that nothing expects

_REPORT = """
import json as _json
def _report(case, **figures):
    print("{mark}", case, _json.dumps(figures), flush=True)
""".replace("{mark}", MARK)

MANY_CHILDREN = _REPORT + f"""
import subprocess, time
_children, _error = [], None
for _ in range({CHILDREN}):
    try:
        _children.append(subprocess.Popen(["sleep", "41.5"]))
    except OSError as err:
        _error = type(err).__name__
        break
_report("many_children", processes=len(_children), error=_error)
"""

BUSY_BACKGROUND = f"""
import subprocess as _sp, sys as _sys
_busy = [_sp.Popen([_sys.executable, "-c", "import time\\nend = time.time() + {BUSY_SECONDS}\\n"
                    "while time.time() < end: pass  # course-hostile-busy"],
                   start_new_session=True) for _ in range({BUSY_LOOPS})]
print("{MARK} busy_background", '{{"loops": {BUSY_LOOPS}}}', flush=True)
"""

MEMORY_MANY_PROCESSES = _REPORT + f"""
import os, time
_pids = []
for _ in range({MEMORY_PROCESSES}):
    _pid = os.fork()
    if _pid == 0:
        try:
            _block = b"\\x01" * {MEMORY_EACH}     # touched: resident, not just reserved
            time.sleep(6)
        finally:
            os._exit(0)
    _pids.append(_pid)
    time.sleep(0.3)
_held = 0
for _pid in _pids:
    _, _status = os.waitpid(_pid, 0)
    _held += os.WIFEXITED(_status) and os.WEXITSTATUS(_status) == 0
_report("memory_many_processes", processes=len(_pids), held_to_the_end=int(_held),
        bytes_asked={MEMORY_PROCESSES * MEMORY_EACH})
"""


def _fill(case, folder):
    return _REPORT + f"""
import os
_written, _chunk = 0, b"\\x02" * (64 * 2**20)
try:
    while _written < {TMP_BYTES}:
        with open(os.path.join({folder}, f"fill_{{_written // len(_chunk)}}.bin"), "wb") as _fh:
            _fh.write(_chunk)
        _written += len(_chunk)
except OSError as err:
    _error = type(err).__name__
else:
    _error = None
_report("{case}", bytes_written=_written, error=_error)
"""


TMP_FILLING = _fill("tmp_filling", '"/tmp"')
FOLDER_FILLING = _fill("folder_filling", "os.getcwd()")

DETECTOR_OFF = '''
class LSTMCell(nn.Module):
    """Correct numbers from torch's fused kernel, reached through names built at run time, with
    the grader's function mode taken off the stack around the call."""
    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.x2h = nn.Linear(input_size, 4 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size, bias=bias)

    def forward(self, input, hx=None):
        t = __import__("tor" + "ch")
        c_api = getattr(t, "_" + "C")
        pop, push = (getattr(c_api, "_pop_torch" + "_function_stack"),
                     getattr(c_api, "_push_on_torch" + "_function_stack"))
        if hx is None:
            zeros = input.new_zeros(input.shape[0], self.hidden_size)
            hx = (zeros, zeros)
        modes = []
        while getattr(c_api, "_len_torch" + "_function_stack")():
            modes.append(pop())
        try:
            return getattr(t, "lstm" + "_cell")(input, hx, self.x2h.weight, self.h2h.weight,
                                                 self.x2h.bias, self.h2h.bias)
        finally:
            for mode in reversed(modes):
                push(mode)
'''


@dataclasses.dataclass
class HostileCase:
    name: str
    cell: str = None              # a cell of its own, inserted after the given imports
    answers: dict = dataclasses.field(default_factory=dict)
    lost: tuple = ()              # units that must lose points (the rest keep all)
    limit: str = None             # the cap its run record must show as hit
    junk: bool = False            # also submits a file nothing expects


CASES = [
    HostileCase("many_children", cell=MANY_CHILDREN, limit="pids"),
    HostileCase("busy_background", answers={"model_identification": None}),
    HostileCase("memory_many_processes", cell=MEMORY_MANY_PROCESSES, limit="memory"),
    HostileCase("tmp_filling", cell=TMP_FILLING),
    HostileCase("folder_filling", cell=FOLDER_FILLING, junk=True),
    HostileCase("detector_off", answers={"lstm_cell": DETECTOR_OFF}, lost=("lstm_cell",)),
]


def _first_code_cell_index(nb):
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")


def build(case, release, solutions, folder):
    """Write `case`'s submission into `folder` (submitted/<student>/recurrent_cells)."""
    folder.mkdir(parents=True, exist_ok=True)
    answers = {u: solutions[u] for u in adv.CODE_UNITS + ("model_identification",)}
    for unit, source in case.answers.items():
        answers[unit] = source if source is not None else solutions[unit] + BUSY_BACKGROUND
    nb = sb.build(release, answers)
    if case.cell:
        nb.cells.insert(_first_code_cell_index(nb) + 1, new_code_cell(case.cell))
    nbformat.write(nb, str(folder / adv.NOTEBOOK))
    if case.junk:
        (folder / "junk_results.bin").write_bytes(b"\x03" * JUNK_SUBMITTED)


def achievements(autograded_notebook):
    """{case: figures} printed by the hostile code in the autograded notebook's outputs."""
    import json
    nb = nbformat.read(str(autograded_notebook), as_version=4)
    found = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if line.startswith(MARK + " "):
                    _, case, figures = line.split(" ", 2)
                    found[case] = json.loads(figures)
    return found
