"""The grader of `sequence_models`: unit table (units.py), sandboxed probes and cases (probe.py),
judge against `reference/sequence_models.py` (judge.py), wrong and correct answers (corpus/).

Hidden test cells call `check(unit, aspect)`."""
from grader_tests.framework.checks import checker

check = checker("sequence_models")
