"""The class report's building blocks, without nbgrader (fast): recorded verdicts grouped by the
likely bug (grader_tests/framework/reports/diagnosis.py) and code similarity between answers
(grader_tests/framework/reports/similarity.py). The report on a whole graded class, the LMS export and
the TA's workflow in a browser run in test_pipeline.py on its graded corpus class."""
import nbformat

from conftest import ROOT
from grader_tests.framework.contract import verdict as v
from grader_tests.framework.contract.verdict import VERDICT_KEY, Hint
from grader_tests.framework.reports import class_report, diagnosis, similarity
from grader_tests.framework.pipeline import submission_builder as sb

GATE_ORDER = Hint("lstm_gate_order",
                  "Your gates are read in the order forget, input, cell candidate, output; the "
                  "contract's order along the 4*hidden_size axis is input, forget, cell candidate, "
                  "output (PyTorch's).")


def cell_with(verdict, grade_id="test"):
    """A graded test cell of an autograded notebook holding `verdict` as trusted grading records it."""
    cell = nbformat.v4.new_code_cell("", metadata={VERDICT_KEY: {"verdict": verdict.as_dict()},
                                                   "nbgrader": {"grade_id": grade_id, "grade": True}})
    cell.outputs = [nbformat.v4.new_output("error", ename="Hidden test failed", evalue=verdict.message,
                                           traceback=[])]
    return cell


def test_same_bug_on_different_inputs_is_one_diagnosis():
    a = diagnosis.of_cell(cell_with(v.values_differ(
        "h_next", "for input of shape (4, 7), hidden_size 5, hx given, float64 on cpu", 0.363, GATE_ORDER)))
    b = diagnosis.of_cell(cell_with(v.values_differ(
        "h_next", "for input of shape (1, 3), hidden_size 2, hx None, float32 on cuda", 0.12, GATE_ORDER)))
    assert a.key == b.key and a.label == GATE_ORDER.text == a.sentence
    other = diagnosis.of_cell(cell_with(v.values_differ(
        "h_next", "for input of shape (4, 7), float64 on cpu", 0.363,
        Hint("lstm_activations", "Check the activations: sigmoid on the gates, tanh on the cell candidate."))))
    assert other.key != a.key


def test_a_symptom_without_a_hint_is_grouped_without_its_input_and_shown_with_it():
    a = diagnosis.of_cell(cell_with(v.raised(
        "RNNModel", "RuntimeError: mat1 and mat2 shapes cannot be multiplied (3x4 and 6x24)",
        "for mode 'LSTM', input of shape (3, 5, 4), hidden_size 6, float64 on cpu")))
    b = diagnosis.of_cell(cell_with(v.raised(
        "RNNModel", "RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x4 and 3x12)",
        "for mode 'GRU', input of shape (2, 5, 4), hidden_size 3, float64 on cpu")))
    assert a.key == b.key and a.label == "RNNModel: raises an exception"
    assert "input of shape (3, 5, 4)" in a.sentence and "max abs error" not in a.sentence


def test_a_failing_visible_test_is_labelled_as_one():
    from grader_tests.framework.judging.outcome import visible_failure
    found = diagnosis.of_cell(cell_with(visible_failure("test_max_pool_naive_backward",
                                                        "AssertionError: dx disagrees with the numerical gradient")))
    assert found.label == "The visible test `test_max_pool_naive_backward` fails"
    assert "dx disagrees" in found.sentence


def test_unanswered_cells_are_one_diagnosis_whatever_unit():
    a = diagnosis.of_cell(cell_with(v.not_answered("LSTMCell")))
    b = diagnosis.of_cell(cell_with(v.not_answered("lstm_cell")))
    assert a.key == b.key == v.NOT_ANSWERED.id and a.sentence.startswith("Not answered yet")


def test_a_cell_without_a_recorded_verdict_is_grouped_by_its_whole_message():
    old = nbformat.v4.new_code_cell("")
    old.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="dx  is wrong.\n",
                                          traceback=[])]
    found = diagnosis.of_cell(old)
    assert found.key == "dx is wrong." == found.sentence
    assert diagnosis.of_cell(nbformat.v4.new_code_cell("")) is None       # passed: no diagnosis


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
    from grader_tests.framework.pipeline import grading
    gate_order = v.values_differ("h_next", "for input of shape (4, 7), float64 on cpu", 0.363, GATE_ORDER)
    timeout = grading._run_failure({"outcome": "timeout", "seconds": 30}, None, None)
    nb = new_notebook(cells=[
        cell("lstm_cell", solution=True),
        cell_with(gate_order, grade_id="test_lstm_cell_forward"),
        cell_with(timeout, grade_id="test_gru_cell_forward"),
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
    assert [d.label for d, hidden in findings.failing["lstm_cell"]] == [GATE_ORDER.text]
    findings.read_record("recurrent_cells.ipynb", {"wall_seconds": 12.5, "limits_hit": ["pids"]})
    assert findings.timing == "run record" and findings.limits == ["pids"]
    assert ("recurrent_cells.ipynb", "resource limit", "pids limit reached") in findings.events
