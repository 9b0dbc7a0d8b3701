"""Builds student submissions from a release notebook (example submissions, corpus runs).

A submission is the release notebook with some answer cells replaced *whole*: by the source
notebook's solution (solution markers removed), by a corpus file, or by any text.
"""
import copy
import pathlib
import re

import nbformat

GRADER = pathlib.Path(__file__).resolve().parents[2]
_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.M)


def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def solutions(source_nb_path):
    """{grade_id: solution text as a student would submit it} for every answer cell."""
    nb = nbformat.read(str(source_nb_path), as_version=4)
    return {grade_id(c): _MARKER.sub("", c.source) for c in nb.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")}


def corpus_files(assignment, unit):
    """(path, verdict, bug) for every corpus file of `unit`, sorted by name
    (grader_tests/<assignment>/corpus/<unit>/*.py, each one whole answer cell with a header)."""
    files = []
    for path in sorted(corpus_dir(assignment, unit).glob("*.py")):
        header = dict(re.findall(r"^# (corpus|verdict|bug): (.*)$", path.read_text(), re.M))
        files.append((path, header.get("verdict", "").split()[0], header.get("bug", "")))
    return files


def assignment_solutions(root, assignment):
    """`solutions` of every notebook of `assignment` (its unit table names them), in one dict."""
    from grader_tests.framework.contract import table
    answers = {}
    for name in table.load(assignment).notebook_files:
        answers.update(solutions(pathlib.Path(root) / "source" / assignment / name))
    return answers


def corpus_units(assignment):
    """The units a corpus covers: every code unit, and a value unit (a set of weights, say) whose
    folder holds corpus files."""
    from grader_tests.framework.contract import table
    return [u for u in table.load(assignment).autograded_units
            if u.is_code or list(corpus_dir(assignment, u.id).glob("*.py"))]


def corpus_dir(assignment, unit):
    return GRADER / assignment / "corpus" / unit


def build(release_nb_path, answers, others=False):
    """The release notebook with the cells named in `answers` ({grade_id: text}) replaced.
    `others`: answers for cells of other notebooks (of a multi-notebook assignment) are ignored;
    by default they are an error."""
    nb = nbformat.read(str(release_nb_path), as_version=4)
    nb = copy.deepcopy(nb)
    unknown = set(answers) - {grade_id(c) for c in nb.cells}
    if unknown and not others:
        raise KeyError(f"no answer cells {sorted(unknown)} in {release_nb_path}")
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def write(nb, path):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def write_submission(release_dir, answers, dest_dir, files=None):
    """A whole submission in `dest_dir`: every notebook of the release folder with the answers its
    cells hold ({grade_id: text}; the other answers are left as released), plus `files`
    ({file name: path of the content}, e.g. a checkpoint submitted beside the notebooks)."""
    import shutil
    release_dir, dest_dir = pathlib.Path(release_dir), pathlib.Path(dest_dir)
    for release in sorted(release_dir.glob("*.ipynb")):
        write(build(release, answers, others=True), dest_dir / release.name)
    for name, path in (files or {}).items():
        dest_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest_dir / name)


def example_files(assignment, student):
    """Files an assignment's example or test submission carries beside its notebooks
    (`grader_tests/<assignment>/examples.py: files(student)`; none by default)."""
    import importlib
    from grader_tests.framework.contract import table
    try:
        examples = importlib.import_module(f"{table.load(assignment).package_name}.examples")
    except ModuleNotFoundError:
        return {}
    provider = getattr(examples, "files", None)
    return provider(student) if provider else {}


def throwaway_course(folder, assignment, root, stock_config=None, frozen=False):
    """A course root under `folder` (tests, benchmarks): `root`'s nbgrader_config.py (or
    `stock_config`, a config file's text, for a stock nbgrader course), the assignment's source,
    its own gradebook, and `root`'s packages and data linked in (not for a stock course).
    `frozen`: the grader's packages (grader_tests, reference, handouts) copied, not linked, so
    that edits of `root` while the course runs are no grader change to it (a term, a benchmark)."""
    import shutil
    course = pathlib.Path(folder) / ("stock" if stock_config else "course")
    course.mkdir(parents=True)
    if stock_config:
        (course / "nbgrader_config.py").write_text(stock_config.format(root=course))
    else:
        shutil.copy(pathlib.Path(root) / "nbgrader_config.py", course)
        for name in ("grader_tests", "reference", "handouts", "data", "tools"):
            if frozen and name in ("grader_tests", "reference", "handouts"):
                shutil.copytree(pathlib.Path(root) / name, course / name,
                                ignore=shutil.ignore_patterns("__pycache__"))
            else:
                (course / name).symlink_to(pathlib.Path(root) / name)
    # a stock course gets no paired scripts: its config has no ignore list to keep them out
    shutil.copytree(pathlib.Path(root) / "source" / assignment, course / "source" / assignment,
                    ignore=shutil.ignore_patterns(f"{assignment}.py") if stock_config else None)
    return course
