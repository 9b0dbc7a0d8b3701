"""What a course declares about its units, read by every layer (see grader_tests/framework/__init__.py)."""
