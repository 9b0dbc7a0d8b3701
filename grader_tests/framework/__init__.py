"""Assignment-independent grading machinery (see grader_tests/__init__.py)."""
