"""Writes the example submissions that `make demo` autogrades, under submitted/<student>/.

For every assignment (found from source/ and its unit table): the students of
`grader_tests/<assignment>/examples.py` (built from the instructor's solutions and the corpus),
or, for an assignment without one, `ada_full` (the solutions) and `blank` (the release as a
student downloads it). Each notebook of the assignment gets the answers its cells hold; files
a submission carries beside them (a checkpoint) come from the examples module's `files(student)`.
"""
import importlib
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from grader_tests.framework.pipeline import submission_builder as sb  # noqa: E402
from grader_tests.framework.contract import table  # noqa: E402


def students(assignment):
    solution = sb.assignment_solutions(ROOT, assignment)
    try:
        examples = importlib.import_module(f"{table.load(assignment).package_name}.examples")
    except ModuleNotFoundError:
        return {"ada_full": solution, "blank": {}}
    return examples.students(solution, lambda unit, name: (sb.corpus_dir(assignment, unit)
                                                           / f"{name}.py").read_text())


def main():
    for assignment in table.assignments(ROOT):
        for student, answers in students(assignment).items():
            dest = ROOT / "submitted" / student / assignment
            sb.write_submission(ROOT / "release" / assignment, answers, dest,
                                sb.example_files(assignment, student))
            print(f"wrote {dest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
