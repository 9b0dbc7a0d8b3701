"""What runs inside the grading sandbox beside student code (see grader_tests/framework/__init__.py)."""
