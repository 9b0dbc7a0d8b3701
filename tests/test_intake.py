"""Intake's file rules (grader_tests/framework/pipeline/intake.py), without nbgrader: links are removed
and recorded, and only expected files are let through to autograded/ and feedback/."""
import glob
import shutil

import nbformat
from nbformat.v4 import new_notebook

from conftest import ROOT
from grader_tests.framework.pipeline import intake


def course_with(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(ROOT / "source" / "recurrent_cells", root / "source" / "recurrent_cells")
    shutil.copytree(ROOT / "release" / "recurrent_cells", root / "release" / "recurrent_cells")
    folder = root / "submitted" / "alice" / "recurrent_cells"
    folder.mkdir(parents=True)
    nbformat.write(new_notebook(), str(folder / "recurrent_cells.ipynb"))
    return root, folder


def test_symbolic_links_are_removed_not_followed_and_recorded(tmp_path):
    root, folder = course_with(tmp_path)
    secret = tmp_path / "reference_solution.py"
    secret.write_text("SECRET")
    (folder / "best_model.pt").symlink_to(secret)
    (folder / "sub").mkdir()
    (folder / "sub" / "link").symlink_to(tmp_path)
    report = intake.intake_all(root, "recurrent_cells")["alice"]
    assert report[intake.LINKS]["outcome"] == "links removed"
    assert "best_model.pt" in report[intake.LINKS]["detail"]
    assert not (folder / "best_model.pt").exists() and secret.read_text() == "SECRET"
    assert not (folder / "sub" / "link").is_symlink()
    again = intake.intake_all(root, "recurrent_cells")["alice"]    # recorded on later runs too
    assert again[intake.LINKS] == report[intake.LINKS]


def test_only_expected_names_travel(tmp_path):
    root, folder = course_with(tmp_path)
    for name in ("junk.bin", "notes[1].txt", "speech_commands.py", "timestamp.txt"):
        (folder / name).write_text("x")
    (folder / "results").mkdir()
    (folder / "results" / "big.npy").write_text("x")
    (folder / "recurrent_cells.html").write_text("x")
    ignored = intake.unexpected_names(root, "submitted")
    assert set(ignored) >= {"junk.bin", glob.escape("notes[1].txt"), "results", "big.npy",
                            "recurrent_cells.html"}
    (folder / "submission_secret.txt").write_text("x")
    for expected in ("recurrent_cells.ipynb", "speech_commands.py", "timestamp.txt",
                     "submission_secret.txt", "model_identification.png"):
        assert expected not in ignored
    assert "recurrent_cells.html" not in intake.unexpected_names(root, "submitted", ("*.html",))
