"""The unit table: one declarative row per graded unit of an assignment (SPEC 3, 4).

An assignment's table lives in `grader_tests/<assignment>/units.py` as `TABLE`, an
`Assignment`. Everything that needs a unit's facts reads them from there: the trusted grading
(which test cell belongs to which unit, the names its answer cell defines, the units it builds
on, its rules), the probe runner in the sandbox (the table is copied there: it must stay free of
reference code), the notebook sync (`tools/notebooks.py` writes every test cell's points and
hidden block from the table), the score report and the project's tests.

Where the rest of a unit's facts live, each once:
- cases (the grader's inputs) and the probe that runs student code on them:
  `grader_tests/<assignment>/probe.py` (sandboxed; no reference import);
- tolerances: `grader_tests/framework/contract/numerics.py` (named and justified there);
- the known wrong variants that name the likely bug, and the comparison with `reference/`:
  `grader_tests/<assignment>/judge.py` (trusted process only);
- the reference implementation: `reference/<assignment>.py`; wrong and correct alternatives:
  `grader_tests/<assignment>/corpus/<unit>/`.
"""
import dataclasses
import importlib
import pathlib

# Kinds of unit: how the grader obtains and probes what the answer cell defines.
TORCH_MODULE = "torch module"        # an nn.Module class: values and autograd gradients
NUMPY_FUNCTION = "numpy function"    # numpy function(s), forward/backward pairs included
FUNCTION = "function"                # a plain function or class checked on several inputs
VALUE = "value"                      # variables holding an answer (a choice, a number)
MANUAL = "manual"                    # a written answer graded by a TA
KINDS = (TORCH_MODULE, NUMPY_FUNCTION, FUNCTION, VALUE, MANUAL)

COURSE_ROOT = pathlib.Path(__file__).resolve().parents[3]


@dataclasses.dataclass(frozen=True)
class Test:
    """One test cell of a unit: `test_<unit>` (aspect None: visible checks only) or
    `test_<unit>_<aspect>` (visible part, then the hidden comparison named by `aspect`)."""
    aspect: str = None
    points: float = 1
    what: str = ""              # what the hidden part checks (a comment in the notebook)
    hidden: bool = True         # False: a visible-only cell (no hidden block)


@dataclasses.dataclass(frozen=True)
class Unit:
    id: str
    kind: str
    defines: tuple = ()         # names the answer cell must define (first one is probed)
    tests: tuple = ()
    builds_on: tuple = ()       # units graded on their reference versions in this unit's namespace
    rules: tuple = ()           # grader_tests.framework.contract.rules objects the contract states
    points: float = 0           # manual units: the written answer's points
    notebook: str = None        # file name; default: the assignment's first notebook
    submitted_files: tuple = () # files the student submits beside the notebook that the probe reads
                                # (e.g. a checkpoint); copied, size-capped, into the sandbox

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unit {self.id}: unknown kind {self.kind!r}")
        if (self.kind == MANUAL) != (not self.tests):
            raise ValueError(f"unit {self.id}: manual units have no test cells, others do")

    def test_id(self, test):
        return f"test_{self.id}" + (f"_{test.aspect}" if test.aspect else "")

    @property
    def test_ids(self):
        return [self.test_id(t) for t in self.tests]

    @property
    def total_points(self):
        return self.points if self.kind == MANUAL else sum(t.points for t in self.tests)

    @property
    def hidden_aspects(self):
        return [t.aspect for t in self.tests if t.aspect and t.hidden]

    @property
    def is_code(self):
        """Units whose answer defines code the probes exercise."""
        return self.kind in (TORCH_MODULE, NUMPY_FUNCTION, FUNCTION)


@dataclasses.dataclass(frozen=True)
class Assignment:
    name: str
    units: tuple
    notebooks: tuple = None     # default: (<name>.ipynb,)
    package: str = None         # default: grader_tests.<name>
    ships: tuple = ()           # files the release carries (copied into source/<name>/): a bare
                                # name is a loader in data/, a path is relative to the course root
    given_cells: tuple = ("setup",)   # grade_ids of each notebook's given cells an answer runs after
                                      # (judging/namespace.py: imports, device, given classes)

    def __post_init__(self):
        ids = [u.id for u in self.units]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.name}: duplicate unit ids")
        for u in self.units:
            unknown = set(u.builds_on) - set(ids)
            if unknown:
                raise ValueError(f"{self.name}: {u.id} builds on unknown units {unknown}")

    @property
    def notebook_files(self):
        return tuple(self.notebooks or (f"{self.name}.ipynb",))

    @property
    def package_name(self):
        return self.package or f"grader_tests.{self.name}"

    def unit(self, unit_id):
        for u in self.units:
            if u.id == unit_id:
                return u
        raise KeyError(f"{self.name} has no unit {unit_id!r}")

    def notebook_of(self, unit):
        return unit.notebook or self.notebook_files[0]

    @property
    def code_units(self):
        return [u for u in self.units if u.is_code]

    @property
    def autograded_units(self):
        return [u for u in self.units if u.kind != MANUAL]

    def test_cells(self):
        """{test grade_id: (unit, Test)} for every test cell of the assignment."""
        return {u.test_id(t): (u, t) for u in self.units for t in u.tests}

    def unit_of_test(self, test_id):
        """(unit, Test) of a test cell, or (None, None) when no unit owns it."""
        return self.test_cells().get(test_id, (None, None))

    def unit_of_grade(self, grade_id):
        """The unit id a grade (test cell or manual answer) counts for, or None."""
        unit, _ = self.unit_of_test(grade_id)
        if unit is not None:
            return unit.id
        return grade_id if any(u.id == grade_id and u.kind == MANUAL for u in self.units) else None

    def points(self):
        """{unit id: points} in table order."""
        return {u.id: u.total_points for u in self.units}


def load(assignment):
    """The `Assignment` table of `assignment` (grader_tests/<assignment>/units.py), or of the
    package named by a dotted name (`<package>.units`)."""
    if "." not in assignment:
        try:
            return importlib.import_module(f"grader_tests.{assignment}.units").TABLE
        except ModuleNotFoundError as err:
            if err.name not in (f"grader_tests.{assignment}", f"grader_tests.{assignment}.units"):
                raise
    return importlib.import_module(f"{assignment}.units").TABLE


def assignments(root=None):
    """Every assignment of the course: a folder in source/ with a unit table beside the grader."""
    root = pathlib.Path(root or COURSE_ROOT)
    found = []
    for folder in sorted((root / "source").iterdir()) if (root / "source").is_dir() else []:
        if folder.is_dir() and (COURSE_ROOT / "grader_tests" / folder.name / "units.py").exists():
            found.append(folder.name)
    return found


def shipped_file(name):
    """Where a `ships` entry lives, relative to the course root."""
    return name if "/" in name else f"data/{name}"


def data_modules(root=None):
    """The data/ modules the course's assignments ship (their stems: `python -m data.<stem> build`)."""
    return sorted({name[:-3] for a in assignments(root) for name in load(a).ships if "/" not in name})
