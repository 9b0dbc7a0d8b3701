"""The grader of `bptt_from_scratch`: unit table (units.py), sandboxed probes and cases (probe.py),
judge against `reference/bptt_from_scratch.py` (judge.py), wrong and correct answers (corpus/).

Hidden test cells call `check(unit, aspect)`."""


def __getattr__(name):
    """`check`, made on first use: reading the unit table imports nothing of the judging."""
    if name == "check":
        from grader_tests.framework.judging.checks import checker
        return checker("bptt_from_scratch")
    raise AttributeError(name)
