"""The grader of `convnets`: unit table (units.py), sandboxed probes and cases (probe.py), judge
against `reference/convnets.py` (judge.py), the challenge's held-out set and score (challenge.py),
wrong and correct answers (corpus/).

Hidden test cells call `check(unit, aspect)`."""
from grader_tests.framework.checks import checker

check = checker("convnets")
