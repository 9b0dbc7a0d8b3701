"""The class report's building blocks, without nbgrader (fast): failure messages reduced to the
likely bug (grader_tests/framework/reports/diagnosis.py) and code similarity between answers
(grader_tests/framework/reports/similarity.py). The report on a whole graded class, the LMS export and
the TA's workflow in a browser run in test_pipeline.py on its graded corpus class."""
import re

import nbformat
import pytest

from conftest import ROOT
from grader_tests.framework.reports import class_report, diagnosis, similarity
from grader_tests.framework.pipeline import submission_builder as sb

GATE_HINT = ("Your gates are read in the order forget, input, cell candidate, output; the "
             "contract's order along the 4*hidden_size axis is input, forget, cell candidate, "
             "output (PyTorch's).")


def test_same_bug_on_different_inputs_is_one_diagnosis():
    a = diagnosis.diagnose("h_next differs from the expected value for input of shape (4, 7), "
                           "hidden_size 5, hx given, bias=True, float64 on cpu (max abs error 0.363). "
                           + GATE_HINT)
    b = diagnosis.diagnose("h_next differs from the expected value for input of shape (1, 3), "
                           "hidden_size 2, hx None, bias=False, float32 on cuda (max abs error 1.2e-01). "
                           + GATE_HINT)
    assert a.key == b.key and a.label == GATE_HINT == a.sentence
    other = diagnosis.diagnose("h_next differs from the expected value for input of shape (4, 7), "
                               "float64 on cpu (max abs error 0.363). Check the activations: sigmoid "
                               "on the input, forget and output gates, tanh on the cell candidate.")
    assert other.key != a.key


@pytest.mark.parametrize("message, key, sentence_has", [
    # a hint after a colon, the case in brackets holding colons
    ("Calling the model twice on the same input gave different logits for mode 'LSTM', input of "
     "shape (3, 5, 4), float64 on cpu: every call must start from zero states (don't keep states "
     "in self).", "every call must start from zero states (don't keep states in self).", "every call"),
    ("dx differs from the expected gradient for x of shape (2, 3, 5, 5), conv_param {'stride': 1, "
     "'pad': 1} (max abs error 0.5). The bias is missing: add b[f] to every output of filter f.",
     "The bias is missing: add b[f] to every output of filter f.", "bias is missing"),
    # a symptom without a hint: grouped without its input, shown to the student with it
    ("RNNModel raised RuntimeError: mat1 and mat2 shapes cannot be multiplied (3x4 and 6x24) for "
     "mode 'LSTM', input of shape (3, 5, 4), hidden_size 6, float64 on cpu.",
     "RNNModel raised RuntimeError: mat1 and mat2 shapes cannot be multiplied (NxN and NxN).",
     "input of shape (3, 5, 4)"),
    # a message that is its own diagnosis ("for exactly" names no input)
    ("LSTMCell(5, 16, bias=False) has parameters ['h2h.bias', 'h2h.weight']; the contract asks for "
     "exactly ['h2h.weight'] (self.x2h and self.h2h).",
     "LSTMCell(N, N, bias=False) has parameters [...]; the contract asks for exactly [...] "
     "(self.x2h and self.h2h).", "LSTMCell(5, 16"),
    # both wordings of an unanswered cell are one diagnosis
    ("The answer cell `lstm_cell` has not been answered yet (it raises NotImplementedError).",
     diagnosis.UNANSWERED, "Not answered"),
    ("LSTMCell has not been answered yet (it raises NotImplementedError).", diagnosis.UNANSWERED,
     "Not answered"),
])
def test_message_shapes(message, key, sentence_has):
    found = diagnosis.diagnose(message)
    assert found.key == key
    assert sentence_has in found.sentence
    assert not re.search(r"max abs error", found.sentence)


def _release_cells(assignment, unit):
    nb = nbformat.read(str(ROOT / "release" / assignment / f"{assignment}.ipynb"), as_version=4)
    template = [c.source for c in nb.cells if sb.grade_id(c) == unit]
    given = [c.source for c in nb.cells if c.cell_type == "code"
             and not c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    return template, template + given


def planted_copy(text):
    """A copy as a student hides it: variables renamed, comments reworded, layout changed, and
    a statement of its own added."""
    renamed = (text.replace("pre", "gates_all").replace("c_next", "cell_new")
               .replace("h_next", "hidden_new").replace("bound", "limit"))
    lines = ["# my own LSTM cell, written from the lecture notes"]
    for line in renamed.splitlines():
        if line.startswith("#"):
            continue
        lines.append(line)
        if line.strip().startswith("def "):
            lines.append("")
        if line.strip().startswith("def forward"):
            lines.append("        assert input.dim() == 2, 'expected a (batch, features) input'")
    return "\n".join(lines) + "\n"


def test_similarity_flags_a_planted_copy_and_not_independent_solutions():
    """Independent correct solutions of lstm_cell (the corpus's and the instructor's) are not
    flagged at the configured threshold; a renamed, re-commented copy of one of them is; the
    release's template (a student who answered nothing) matches nobody."""
    threshold = class_report.course_settings(ROOT).similarity_threshold
    answers = {p.stem: p.read_text() for p, verdict, _ in sb.corpus_files("recurrent_cells", "lstm_cell")
               if verdict == "correct"}
    answers["instructor"] = sb.assignment_solutions(ROOT, "recurrent_cells")["lstm_cell"]
    template, boilerplate = _release_cells("recurrent_cells", "lstm_cell")
    assert len(answers) >= 4
    assert similarity.similar_pairs(answers, boilerplate, threshold) == []
    answers["planted_copy"] = planted_copy(answers["correct_slices_narrow"])
    answers["unanswered"] = template[0]
    assert "assert input.dim()" in answers["planted_copy"]
    pairs = similarity.similar_pairs(answers, boilerplate, threshold)
    assert [(p.first, p.second) for p in pairs] == [("correct_slices_narrow", "planted_copy")]
    assert min(pairs[0].similarity) >= threshold and "<mark>" in pairs[0].first_html
    assert similarity.groups(pairs) == [["correct_slices_narrow", "planted_copy"]]
    print(f"\nplanted copy flagged at {pairs[0].similarity}; threshold {threshold}")


def test_run_outcomes_from_an_autograded_notebook():
    """A kernel that died, the cells it left unrun, a unit whose sandboxed run timed out, and a
    failing hidden test (diagnosed) as the report reads them from an autograded notebook."""
    from nbformat.v4 import new_code_cell, new_notebook, new_output
    from grader_tests.framework.contract import table
    assignment_table = table.load("recurrent_cells")

    def cell(grade_id, *outputs, solution=False):
        c = new_code_cell("pass", outputs=list(outputs))
        c.metadata["nbgrader"] = {"grade_id": grade_id, "solution": solution, "grade": not solution}
        return c
    nb = new_notebook(cells=[
        cell("lstm_cell", solution=True),
        cell("test_lstm_cell_forward", new_output(
            "error", ename="GradingFailure", evalue="h_next differs from the expected value for input "
            "of shape (4, 7), float64 on cpu (max abs error 0.363). " + GATE_HINT, traceback=[])),
        cell("test_gru_cell_forward", new_output(
            "error", ename="GradingFailure", evalue="Your code did not finish within 30 s when the "
            "grader ran it (an infinite loop?), so this unit could not be graded.", traceback=[])),
        cell("train_models", new_output("error", ename="KernelDied", evalue="The kernel died while "
                                        "running this cell (os._exit, a crash, or the memory limit); "
                                        "later cells were not run.", traceback=[])),
        cell("show_identification_figure", new_output("error", ename="NotRun", evalue="not run",
                                                      traceback=[])),
    ])
    findings = class_report._Findings()
    findings.read_notebook("recurrent_cells.ipynb", nb, assignment_table.test_cells(), timed=True)
    kinds = [kind for _, kind, _ in findings.events]
    assert kinds == ["grader timeout", "kernel died", "cells not run"]
    assert findings.answers == {"lstm_cell": "pass"}
    assert [d.label for d, hidden in findings.failing["lstm_cell"]] == [GATE_HINT]
    findings.read_record("recurrent_cells.ipynb", {"wall_seconds": 12.5, "limits_hit": ["pids"]})
    assert findings.timing == "run record" and findings.limits == ["pids"]
    assert ("recurrent_cells.ipynb", "resource limit", "pids limit reached") in findings.events
