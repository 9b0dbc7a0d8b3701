"""nbgrader, the sandbox and the machine (see grader_tests/framework/__init__.py)."""
