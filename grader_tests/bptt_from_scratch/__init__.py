"""The grader of `bptt_from_scratch`: unit table (units.py), sandboxed probes and cases (probe.py),
judge against `reference/bptt_from_scratch.py` (judge.py), wrong and correct answers (corpus/).

Hidden test cells call `check(unit, aspect)`."""
from grader_tests.framework.checks import checker

check = checker("bptt_from_scratch")
