"""The course's grader: `framework/` (assignment-independent machinery: unit tables, rules,
sandbox, trusted grading, nbgrader plugins, intake) and one package per assignment
(`<assignment>/units.py` the unit table, `probe.py` the sandboxed probes and their cases,
`judge.py` the comparison with `reference/<assignment>.py`, `corpus/` wrong and correct answers).
"""
