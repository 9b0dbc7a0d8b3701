"""The grader of `sparse_autoencoder`: unit table (units.py), sandboxed probes and cases (probe.py), judge
against `reference/sparse_autoencoder.py` (judge.py), wrong and correct answers (corpus/).

Hidden test cells call `check(unit, aspect)`."""
from grader_tests.framework.checks import checker

check = checker("sparse_autoencoder")
