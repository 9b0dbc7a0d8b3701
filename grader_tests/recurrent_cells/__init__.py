"""The grader of `recurrent_cells`: unit table (units.py), sandboxed probes and cases (probe.py), judge
against `reference/recurrent_cells.py` (judge.py), wrong and correct answers (corpus/).

Hidden test cells call `check(unit, aspect)`."""
from grader_tests.framework.checks import checker

check = checker("recurrent_cells")
