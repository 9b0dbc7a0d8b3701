"""A failed test cell's diagnosis, read from the verdict trusted grading recorded in the cell's
metadata (contract/verdict.py makes the grouping key, the group's label and the student's
sentence): the class report groups students by it, the feedback summary and the change report
show its sentence. Nothing here parses a message: a notebook graded before verdicts were
recorded is grouped by its whole message (no structure is guessed from its words).
"""
from grader_tests.framework.contract.verdict import (MAX_SENTENCE, VERDICT_KEY, Diagnosis, Verdict,
                                                     first_sentence)

__all__ = ["Diagnosis", "verdict_of", "of_cell", "of_message", "MAX_SENTENCE"]


def verdict_of(cell):
    """The `Verdict` recorded in a graded test cell's metadata, or None (not graded by this
    course's trusted grading, or graded before verdicts were recorded)."""
    record = cell.get("metadata", {}).get(VERDICT_KEY, {}).get("verdict")
    return None if record is None else Verdict.from_dict(record)


def of_message(message):
    """The diagnosis of a bare failure message (no verdict recorded): the message is its own
    group; the student reads its first sentence."""
    text = " ".join(str(message).split())
    return Diagnosis(key=text, label=first_sentence(text), sentence=first_sentence(text))


def of_cell(cell):
    """The `Diagnosis` of a failed test cell of an autograded notebook (None when it passed)."""
    verdict = verdict_of(cell)
    if verdict is not None:
        return verdict.diagnosis()
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return of_message(output.get("evalue", ""))
    return None
