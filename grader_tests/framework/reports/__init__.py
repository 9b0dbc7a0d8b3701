"""What students, TAs and instructors read (see grader_tests/framework/__init__.py)."""
