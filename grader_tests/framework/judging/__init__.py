"""The trusted half of grading: probe data judged against the reference (see grader_tests/framework/__init__.py)."""
