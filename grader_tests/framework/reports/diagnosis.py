"""A failing test's message reduced to its likely bug: the key the class report groups students
by, and the one sentence a student's feedback summary shows.

Every judge (grader_tests/<a>/judge.py, framework/kinds.py, trusted.py) writes its messages in
one of two shapes:

    <symptom> for <case>[ on <device>][ (max abs error E)]. <hint naming the likely bug>
    <symptom> for <case>[ on <device>]: <hint naming the likely bug>

or, when there is no input to name, a message that is its own diagnosis ("LSTMCell has no
parameter h2h.bias: keep the attribute names of the contract", "This unit must be written from
scratch, but ..."). The hint is fixed text per known wrong variant (it may name a flag or a
dtype), so two students with the same bug get the same hint whatever case exposed it; the
symptom carries numbers (shapes, errors) that differ between students and cases.

`diagnose(message)` returns a `Diagnosis` with
- `key`: the hint when there is one, else the message without its case clause; numbers,
  tuples and lists masked (`N`, `(...)`, `[...]`), so equal bugs give equal keys;
- `label`: the key's text unmasked (one student's wording of the group);
- `sentence`: what a student reads in the feedback summary (a symptom
  without a hint keeps its case there: it tells the student which input failed).
"""
import dataclasses
import re

# Error measures appended to a symptom: never part of a diagnosis.
_MEASURES = re.compile(r"\s*\((?:max abs error|it contains NaN)[^)]*\)")
# A sentence ends at a full stop followed by a space ("e.g." and "i.e." do not end one; a "!"
# may sit inside a quoted error text, so it does not either).
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<=\.)\s+")
# The case clause: from " for " to the colon that introduces a hint, or to the sentence's end
# ("for exactly", "for each", "for every", "for all" name no input).
# A colon inside brackets ({'stride': 1}) belongs to the case.
_CASE = re.compile(r"\s+for\s(?!exactly\b|each\b|every\b|all\b)"
                   r"(?:[^:{\[(]|\{[^}]*\}|\[[^\]]*\]|\([^)]*\))*")
_LIST = re.compile(r"\[[^\[\]]*['\d][^\[\]]*\]")              # lists of names or numbers
_TUPLE = re.compile(r"\((?:\s*-?\d[\d.e-]*\s*,)+\s*(?:-?\d[\d.e-]*)?\s*\)")   # shapes
_SIZES = re.compile(r"\b\d+x\d+\b")                                 # 3x4 (matrix sizes)
_NUMBER = re.compile(r"(?<![A-Za-z_\d])\d+(?:\.\d+)?(?:e[-+]?\d+)?")
MAX_SENTENCE = 240
_UNANSWERED = re.compile(r"has not been answered yet")
UNANSWERED = "Not answered yet (the answer cell still raises NotImplementedError)."


@dataclasses.dataclass(frozen=True)
class Diagnosis:
    key: str        # grouping key: numbers and collections masked
    label: str      # the key's text unmasked (how the class report names the group)
    sentence: str   # what the student reads: the label, or a bare symptom with its input


def mask(text):
    """`text` with lists, tuples and numbers replaced by placeholders."""
    text = _LIST.sub("[...]", text)
    text = _TUPLE.sub("(...)", text)
    text = _SIZES.sub("NxN", text)
    return _NUMBER.sub("N", text)


def _first_sentences(text, limit=MAX_SENTENCE):
    """`text` if short enough, else its first sentence (cut at `limit` characters at worst)."""
    if len(text) <= limit:
        return text
    first = _SENTENCE_END.split(text, maxsplit=1)[0]
    return first if len(first) <= limit else first[:limit - 3].rstrip() + "..."


def diagnose(message):
    """The `Diagnosis` of a failing test's message (see the module docstring)."""
    text = _MEASURES.sub("", " ".join(str(message).split()))
    if _UNANSWERED.search(text):   # said by the visible test and by each hidden one, in two wordings
        return Diagnosis(key=UNANSWERED, label=UNANSWERED, sentence=UNANSWERED)
    parts = _SENTENCE_END.split(text, maxsplit=1)
    first, rest = parts[0], (parts[1] if len(parts) > 1 else "")
    case = _CASE.search(first)
    if case is None:            # no input named: the message is its own diagnosis
        key_text = sentence = text
    else:
        after = first[case.end():]          # ": <hint>" or the sentence's final stop
        hint = " ".join(p for p in (after.lstrip(":. ").strip(), rest.strip()) if p)
        if hint:
            key_text = sentence = hint
        else:                   # a symptom only: grouped without its input, shown with it
            key_text, sentence = first[:case.start()].rstrip(" .") + ".", first
    label = _first_sentences(key_text.strip())
    return Diagnosis(key=mask(label), label=label, sentence=_first_sentences(sentence.strip()))


VERDICT_KEY = "course"   # a graded test cell's metadata: {"course": {"verdict": Verdict.as_dict()}}


def of_cell(cell):
    """The `Diagnosis` of a failed test cell of an autograded notebook (None when it passed): from
    the verdict trusted grading recorded in the cell's metadata; for a notebook graded before
    verdicts were recorded, from its failure message."""
    from grader_tests.framework.contract.verdict import Verdict
    record = cell.get("metadata", {}).get(VERDICT_KEY, {}).get("verdict")
    if record is not None:
        return Verdict.from_dict(record).diagnosis()
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return diagnose(output.get("evalue", ""))
    return None
