"""nbgrader traps (SPEC 8) the configuration must avoid, checked through real nbgrader."""
import json

from conftest import ROOT, make_course, nbgrader
from grader_tests.framework.pipeline import submission_builder as sb

ASSIGNMENT = "recurrent_cells"


def _submit(course, student, answers):
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = sb.build(release, answers)
    sb.write(nb, course / "submitted" / student / ASSIGNMENT / release.name)
    return nb


def test_config_loads_and_sets_the_guards():
    from traitlets.config.loader import PyFileConfigLoader
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    names = [p.__name__ for p in cfg.Autograde.autograde_preprocessors]
    assert names[0] == "RequireGraderPackages" and "ContainedExecute" in names
    assert names.index("HideHiddenTests") < names.index("ContainedExecute") < names.index("TrustedGrading") < names.index("SaveAutoGrades")
    assert cfg.Execute.timeout == 60 and cfg.IgnorePattern.enabled
    assert cfg.OverwriteCells.add_missing_cells is True
    assert "SanitizeFeedback" in [p.__name__ for p in cfg.GenerateFeedback.preprocessors]


def test_missing_grader_stops_autograde_loudly(tmp_path):
    for missing in ("reference", "grader_tests"):
        course = make_course(tmp_path / missing)
        nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
        (course / missing).unlink()
        _submit(course, "someone", sb.solutions(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))
        proc = nbgrader(course, "autograde", ASSIGNMENT, "--create", check=False)
        assert proc.returncode != 0, f"autograde exited 0 without {missing}/"
        assert "Autograde stopped" in proc.stdout + proc.stderr
        assert not (course / "autograded" / "someone" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()


def test_deleted_test_cell_is_restored_and_stderr_does_not_zero(tmp_path):
    course = make_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    solution = sb.solutions(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    noisy = solution["gru_cell"].replace(
        "    def forward(self, input, hx=None):\n",
        "    def forward(self, input, hx=None):\n        import warnings, sys\n"
        "        warnings.warn('a harmless warning'); print('noise', file=sys.stderr)\n", 1)
    assert noisy != solution["gru_cell"]
    nb = _submit(course, "someone", {**solution, "gru_cell": noisy})
    nb.cells = [c for c in nb.cells if sb.grade_id(c) != "test_lstm_cell_forward"]
    sb.write(nb, course / "submitted" / "someone" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nbgrader(course, "autograde", ASSIGNMENT, "--create")
    graded = json.loads((course / "autograded" / "someone" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    ids = [sb.grade_id(c) for c in graded["cells"]]
    assert "test_lstm_cell_forward" in ids
    import sys
    sys.path.insert(0, str(ROOT / "tools"))
    import course as course_tool
    table, _ = course_tool.score_table(ASSIGNMENT, root=course)
    assert table["someone"]["lstm_cell"] == (7, 7), "a deleted test cell must be restored and run"
    assert table["someone"]["gru_cell"] == (7, 7), "stderr from correct code must not zero a test"
