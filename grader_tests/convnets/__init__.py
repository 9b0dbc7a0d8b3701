"""The grader of `convnets`: unit table (units.py), sandboxed probes and cases (probe.py), judge
against `reference/convnets.py` (judge.py), the challenge's held-out set and score (challenge.py),
wrong and correct answers (corpus/).

Hidden test cells call `check(unit, aspect)`."""


def __getattr__(name):
    """`check`, made on first use: reading the unit table imports nothing of the judging."""
    if name == "check":
        from grader_tests.framework.judging.checks import checker
        return checker("convnets")
    raise AttributeError(name)
