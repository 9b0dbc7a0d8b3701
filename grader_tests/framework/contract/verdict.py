"""Verdicts as data: what one test cell's check found, in fields, and every text made from them
in one place (this module): the student's message, the one-sentence diagnosis of the feedback
summary, and the key the class report groups students by.

A judge returns a `Verdict`, built with the constructors below (`values_differ`, `wrong_shape`,
`raised`, `contract`, ...), never a sentence of its own: so no message is empty or says the same
thing twice, and nothing parses English back. The likely bug is a `Hint`: a stable id (what the
class report groups by) and its sentence (what the student reads). A failure without a hint is
grouped by what was checked and its `symptom`, never by its numbers.

This module is part of the contract: the sandbox imports it too (cases carry their hints).
"""
import dataclasses

# Symptoms: how a check failed when no hint names the likely bug (the class report's label for
# such a group is "<what was checked>: <phrase>").
SYMPTOMS = {
    "values": "wrong values",
    "gradient": "wrong gradient",
    "shape": "wrong shape",
    "dtype": "wrong dtype or device",
    "raised": "raises an exception",
    "syntax": "has a syntax error",
    "missing": "something the contract asks for is missing",
    "contract": "breaks the contract",
    "inplace": "modifies its input in place",
    "state": "keeps state between calls",
    "signature": "constructor defaults differ from the contract's",
    "not_answered": "not answered yet",
    "visible": "the visible test fails",
    "rule": "breaks the unit's rule",
    "run": "the grader's run of the code did not finish",
    "stopped": "the grader could not run every check",
    "file": "a submitted file is missing or unreadable",
    "value": "wrong answer",
    "score": "partial credit",
}
MAX_SENTENCE = 240
# Where a graded test cell of an autograded notebook keeps its verdict:
# cell.metadata[VERDICT_KEY]["verdict"] = Verdict.as_dict() (pipeline/nbgrader_plugins.py writes it,
# reports/diagnosis.py reads it).
VERDICT_KEY = "course"


@dataclasses.dataclass(frozen=True)
class Hint:
    """The likely bug: `id` is stable (the same bug, the same id, whatever input exposed it);
    `text` is the sentence the student reads."""
    id: str
    text: str

    def format(self, **values):
        """The same hint with `values` put into its text (e.g. the dtype a case used)."""
        return Hint(self.id, self.text.format(**values))

    def __bool__(self):
        return bool(self.text)


@dataclasses.dataclass(frozen=True)
class Diagnosis:
    key: str        # the class report's grouping key
    label: str      # how the class report names the group
    sentence: str   # what the student's feedback summary shows


@dataclasses.dataclass(frozen=True)
class Verdict:
    """One check's outcome. Failed: `checked` (what was checked, as the student names it:
    "h_next", "dW1", "LSTMCell"), `problem` (what is wrong with it, a clause), `case` (the input:
    "for input of shape (4, 7), float64 on cpu"), `error` (the measured error, where values were
    compared), `hint` (the likely bug), `symptom` (a key of SYMPTOMS). Passed: `detail` says
    what was checked; `score` is partial credit (a fraction of the cell's points)."""
    passed: bool
    checked: str = ""
    problem: str = ""
    case: str = ""
    error: float = None
    hint: Hint = None
    symptom: str = ""
    score: float = None
    detail: str = ""

    def __post_init__(self):
        if not self.passed and not (self.problem or self.hint):
            raise ValueError("a failed verdict needs a problem or a hint")
        if self.symptom and self.symptom not in SYMPTOMS:
            raise ValueError(f"unknown symptom {self.symptom!r}")

    @property
    def message(self):
        """What the student reads: '<checked> <problem> <case> (max abs error E). <hint>'."""
        if self.passed:
            return self.detail or "passed"
        head = " ".join(p for p in (self.checked, self.problem, self.case) if p).strip()
        if self.error is not None:
            head += f" (max abs error {self.error:.3g})"
        head = _sentence(head)
        hint = _sentence(self.hint.text) if self.hint else ""
        if hint and hint.lower() == head.lower():
            hint = ""
        return " ".join(p for p in (head, hint) if p)

    def diagnosis(self):
        """The grouping key, its label, and the student's one sentence (see the module docstring)."""
        if self.passed:
            return None
        if self.hint:
            text = first_sentence(_sentence(self.hint.text))
            return Diagnosis(key=self.hint.id, label=text, sentence=text)
        symptom = self.symptom or "contract"
        if symptom == "visible":        # "The visible test `t` fails", not "...: the visible test fails"
            label = f"{self.checked} fails" if self.checked else SYMPTOMS[symptom].capitalize()
        else:
            label = f"{self.checked}: {SYMPTOMS[symptom]}" if self.checked else SYMPTOMS[symptom].capitalize()
        head = " ".join(p for p in (self.checked, self.problem, self.case) if p)
        return Diagnosis(key=f"{self.checked}|{symptom}", label=label,
                         sentence=first_sentence(_sentence(head)))

    def as_dict(self):
        data = {k: v for k, v in dataclasses.asdict(self).items() if v not in (None, "")}
        if self.hint:
            data["hint"] = {"id": self.hint.id, "text": self.hint.text}
        return data

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        if data.get("hint"):
            data["hint"] = Hint(**data["hint"])
        return cls(**data)


def _sentence(text):
    """`text` on one line with a full stop (or ? !) at the end; its first word as written (a code
    name such as `dx` or `h_next` keeps its case)."""
    text = " ".join(str(text).split())
    if not text:
        return ""
    return text if text[-1] in ".?!" else text + "."


def first_sentence(text, limit=MAX_SENTENCE):
    """`text` whole when short enough, else what fits of it up to a sentence's end."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(". ", 1)[0]
    return cut + "." if len(cut) > 20 else text[:limit - 3].rstrip() + "..."


# ---------------------------------------------------------------------------------------------
# Constructors: the shapes a failure takes
# ---------------------------------------------------------------------------------------------

def passed(detail="", score=None):
    return Verdict(True, detail=detail, score=score)


def failed(checked, problem, case="", hint=None, symptom="contract", error=None):
    """Any other failure: `problem` says what is wrong with `checked`."""
    return Verdict(False, checked=checked, problem=problem, case=case, error=error,
                   hint=hint or None, symptom=symptom)


def values_differ(checked, case="", error=None, hint=None, expected="the expected value",
                  symptom="values"):
    return failed(checked, f"differs from {expected}", case, hint, symptom, error)


def wrong_shape(checked, got, expected, case="", hint=None):
    return failed(checked, f"has shape {_shape(got)}, expected {_shape(expected)}", case, hint, "shape")


def raised(checked, error_text, case="", hint=None):
    """The student's code raised `error_text` ('TypeError: ...', from harness.describe_exception)."""
    return failed(checked, f"raised {error_text or 'an exception without a message'}", case, hint, "raised")


def contract(checked, problem, case="", hint=None, symptom="contract"):
    """A broken part of the unit's contract: a name, a parameter, a return type, a default."""
    return failed(checked, problem, case, hint, symptom)


NOT_ANSWERED = Hint("not_answered", "Not answered yet: the answer cell still raises NotImplementedError.")
STOPPED = Hint("stopped_early", "The grader could not run every check on your code (it stopped early).")


def not_answered(checked):
    return failed(checked, "has not been answered yet (it raises NotImplementedError)", hint=NOT_ANSWERED,
                  symptom="not_answered")


def stopped_early():
    return Verdict(False, hint=STOPPED, symptom="stopped")


def _shape(value):
    if value is None:
        return "None"
    return str(tuple(value)) if isinstance(value, (list, tuple)) else str(value)
