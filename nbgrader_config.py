"""Course configuration: plain `nbgrader` commands work from the course root with it.

What it sets, and why (SPEC 8 lists the traps measured on nbgrader 0.9.6):
- the course root goes on PYTHONPATH so the autograde kernel (which inherits this process's
  environment) can import `grader_tests` and `reference`; `RequireGraderPackages` stops
  autograde loudly if it still cannot;
- COURSE_SHORT_SCHEDULE=1: training cells run their short schedule under nbgrader;
- per-cell timeout 60 s: the slowest legitimate cell (a hidden test on CPU, or the short
  training run) takes about 3 s, so 60 s leaves room for a slow machine while a hanging cell
  costs one minute, not the run;
- COURSE_DATA_DIR: the course's data/ folder, where the loader each notebook ships (e.g.
  speech_commands.py) finds the prebuilt stand-ins and feature caches (`make data`);
- nbgrader never copies the source notebooks' paired scripts (they hold the solutions) or a
  data/ folder of an assignment folder into a release, autograded or feedback folder;
- stderr in a test cell does not zero it (warnings, tqdm bars): verdicts come from exceptions;
- deleted test cells are restored and run; a notebook whose nbgrader metadata was copied, lost
  or forged is matched to the release notebook at intake instead of voided; feedback shows no
  hidden test source, answer key, traceback or grader path.
"""
import os
import pathlib
import sys

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))
if COURSE_ROOT not in sys.path:
    sys.path.insert(0, COURSE_ROOT)  # the nbgrader process imports grader_tests.framework.pipeline.nbgrader_plugins

_paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
if COURSE_ROOT not in _paths:
    os.environ["PYTHONPATH"] = os.pathsep.join([COURSE_ROOT] + _paths)
os.environ.setdefault("COURSE_SHORT_SCHEDULE", "1")
os.environ["COURSE_ROOT"] = COURSE_ROOT  # the sandbox hides this folder from student code
os.environ.setdefault("MPLBACKEND", "Agg")
# The notebooks import their shipped loader (e.g. speech_commands.py beside the notebook); it
# reads data from COURSE_DATA_DIR when set: here the course's prebuilt stand-ins and feature
# caches (`make data`), mounted read-only in the grading sandbox.
os.environ.setdefault("COURSE_DATA_DIR", os.path.join(COURSE_ROOT, "data"))

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)
# The nbgrader step this configuration is loaded for: the command line's, or the one a Dask
# worker grading through nbgrader's Python API names (grader_tests/framework/pipeline/scheduling.py).
_STEP = os.environ.get("COURSE_NBGRADER_STEP") or (sys.argv[1] if len(sys.argv) > 1 else "")

c.CourseDirectory.course_id = "dl-recurrent-coursework"
c.CourseDirectory.root = COURSE_ROOT
# SQLite waits up to 60 s for a lock (default 5 s): parallel autograde processes share the file.
# Several machines grading one class share a PostgreSQL gradebook instead:
# COURSE_DB_URL=postgresql://user@host:port/database (psycopg is in requirements.lock).
c.CourseDirectory.db_url = (os.environ.get("COURSE_DB_URL")
                            or f"sqlite:///{os.path.join(COURSE_ROOT, 'gradebook.db')}?timeout=60")
# Files of an assignment folder nbgrader never copies (release, autograde, feedback): the
# jupytext-paired scripts of the source notebooks (they hold the solutions) and data/ folders
# (a stand-in built beside a notebook; autograde reads COURSE_DATA_DIR instead).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "data"] + sorted(
    {f"{nb.stem}.py" for nb in pathlib.Path(COURSE_ROOT, "source").glob("*/*.ipynb")})
# Files students submit beside their notebooks (a unit's `submitted_files`, e.g. the convnets
# challenge's best_model.pt): autograde copies the student's into autograded/ (the notebook's
# training cell then does not retrain) and never copies an instructor's over it; no other
# command (generate_assignment, feedback) copies one, so a checkpoint the instructor's run left
# in source/ never reaches a release. The grader reads them from submitted/.
_SUBMITTED_FILES = {}
try:
    from grader_tests.framework.contract.table import assignments as _assignments, load as _load
    for _a in _assignments(COURSE_ROOT):
        _names = sorted({f for u in _load(_a).units for f in u.submitted_files})
        if _names:
            _SUBMITTED_FILES[_a] = _names
except Exception:  # the grader check below reports an unimportable grader loudly
    pass
c.Autograde.exclude_overwriting = _SUBMITTED_FILES
# (collect copies them too: from the exchange's inbound folder into submitted/)
if _STEP not in ("autograde", "collect"):
    c.CourseDirectory.ignore += sorted({f for names in _SUBMITTED_FILES.values() for f in names})

# Only expected files travel: autograde copies a submission's notebooks, the files
# its units read (a checkpoint) and the release's files into autograded/, and generate_feedback
# copies the HTML and those files into feedback/; anything else a student submitted stays in
# submitted/ for the staff (intake.unexpected_names: added to the ignore globs, nothing deleted).
# Kernels cannot write into autograded/ at all (a capped tmpfs over their working folder).
_STEP_FOLDERS = {"autograde": ("submitted", ()), "generate_feedback": ("autograded", ("*.html",))}
if _STEP in _STEP_FOLDERS:
    try:
        from grader_tests.framework.pipeline.intake import unexpected_names as _unexpected_names
        _folder, _extra = _STEP_FOLDERS[_STEP]
        c.CourseDirectory.ignore += _unexpected_names(COURSE_ROOT, _folder, _extra)
    except Exception as _err:  # the grader check reports an unimportable grader loudly
        print(f"[course] expected-files filter skipped: {type(_err).__name__}: {_err}", file=sys.stderr)

# Per-submission limits (grader_tests/framework/pipeline/limits.py): one cgroup per graded notebook for
# its kernel and probes. PrairieLearn's grader containers: 2 GiB, 1024 processes.
c.SubmissionLimits.memory_bytes = 2 * 2**30     # all its processes and tmpfs files together
c.SubmissionLimits.pids = 1024
c.SubmissionLimits.cpus = 0.0                    # hard cap in cores (0: equal CPU weights only;
                                                 # tools/course.py autograde: cores / jobs)
c.SubmissionLimits.tmp_bytes = 512 * 2**20      # the sandbox's /tmp
c.SubmissionLimits.folder_bytes = 256 * 2**20   # what a kernel may write in its working folder
c.SubmissionLimits.unit_seconds = 30             # one unit's hidden tests (its sandboxed probes)

# Execution: per-cell timeout (nbgrader has no per-notebook limit).
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# The student's kernel is killed once its outputs are in, not asked to exit: a graceful
# shutdown of a kernel that imported torch took 0.3-1.6 s per notebook (measured, run records).
c.Execute.shutdown_kernel = "immediate"

# Autograde: check the grader first; ignore stderr when grading test cells.
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, Execute, GetGrades, IgnorePattern,
    LimitOutput, SaveAutoGrades)
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
try:
    from grader_tests.framework.pipeline.nbgrader_plugins import (
        ContainedExecute, HideHiddenTests, RequireGraderPackages, SanitizeFeedback, TrustedGrading)
    from grader_tests.framework.reports.grading_views import FeedbackSummary, ModelAnswersForGraders
    from grader_tests.framework.pipeline.structure import StructureVerdicts
except Exception as _err:  # nbgrader would silently skip a config file that raises: refuse instead
    from nbgrader.preprocessors import NbGraderPreprocessor

    _REASON = f"{type(_err).__name__}: {_err}"

    class RequireGraderPackages(NbGraderPreprocessor):
        def preprocess(self, nb, resources):
            raise RuntimeError("Autograde stopped: the grading package grader_tests cannot be "
                               f"imported ({_REASON}). Run nbgrader from the course root.")

    class SanitizeFeedback(RequireGraderPackages):
        pass

    HideHiddenTests = TrustedGrading = FeedbackSummary = StructureVerdicts = RequireGraderPackages
    ContainedExecute = Execute
    ModelAnswersForGraders = None

# StructureVerdicts: a unit whose test cells the student made ungraded scores 0 there (intake
# marked them when it restored the notebook's structure, grader_tests/framework/pipeline/structure.py).
c.Autograde.autograde_preprocessors = [
    RequireGraderPackages, HideHiddenTests, ContainedExecute, TrustedGrading, StructureVerdicts,
    IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades, AssignLatePenalties,
    CheckCellMetadata,
]
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]"  # any stderr text: a verdict is an exception, never a warning
c.OverwriteCells.add_missing_cells = True
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 30

# Feedback: hidden tests removed, failures reduced to their message, paths scrubbed; the page
# opens with a per-unit summary (points, one-sentence diagnosis) built from what it shows anyway.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, SanitizeFeedback, FeedbackSummary,
                                    CSSHTMLHeaderPreprocessor]
c.ClearHiddenTests.enforce_metadata = False
# The page (grader_tests/framework/reports/feedback_page.py): the points so far and what awaits a
# TA first, then the units; nothing "0 points" that awaits a TA; messages wrap; MathJax inlined
# from a pinned package (math renders offline).
try:
    from grader_tests.framework.reports import feedback_page as _feedback_page
    c.GenerateFeedback.exporter_class = _feedback_page.FeedbackPage
    c.FeedbackPage.template_name = _feedback_page.TEMPLATE_NAME
    c.FeedbackPage.extra_template_basedirs = [str(_feedback_page.TEMPLATES),
                                              str(_feedback_page.nbgrader_templates())]
except Exception as _err:  # nbgrader's own page then; RequireGraderPackages reports the cause
    print(f"[course] feedback page: nbgrader's default ({type(_err).__name__}: {_err})", file=sys.stderr)

# Releases: an unanswered answer cell says so when it runs (the grader recognises any
# NotImplementedError as "not answered yet"); `nbgrader validate` shows each failing check by
# its last line (the release's setup cell switches IPython's tracebacks to Minimal while
# NBGRADER_VALIDATING is set).
try:
    from grader_tests.framework.pipeline.structure import CODE_STUB as _CODE_STUB
    c.ClearSolutions.code_stub = {"python": _CODE_STUB}
except Exception as _err:  # an unimportable grader is reported by RequireGraderPackages
    print(f"[course] code stub: nbgrader's default ({type(_err).__name__}: {_err})", file=sys.stderr)

# Formgrader: under each written answer, graders see the model answer and rubric from source/
# (only on the `formgrade` page; grader_tests/framework/reports/grading_views.py).
if ModelAnswersForGraders is not None:
    c.HTMLExporter.preprocessors = [ModelAnswersForGraders]

# Class report (python tools/course.py report; grader_tests/framework/reports/class_report.py): a pair
# of answers is listed for a human to compare when each shares at least this share of its own
# code with the other (copydetect; template and given code excluded). A pointer, not a verdict.
c.ClassReport.similarity_threshold = 0.85
c.ClassReport.max_pairs_shown = 12

# Intake before `nbgrader autograde` lists the submissions: renamed notebooks are renamed back,
# non-UTF-8 bytes repaired, missing or corrupt notebooks replaced by a graded-as-empty notebook
# that says why, and a notebook's structure (copied graded cells, lost or forged nbgrader
# metadata) restored from the release notebook (grader_tests/framework/pipeline/intake.py, structure.py).
# Idempotent: nbgrader loads this file several times.
if _STEP == "autograde":
    try:
        from grader_tests.framework.pipeline.intake import intake_all
        from grader_tests.framework.contract.table import assignments
        for _assignment in assignments(COURSE_ROOT):
            intake_all(COURSE_ROOT, _assignment)
    except Exception as _err:  # intake must never stop grading; the run reports what it finds
        print(f"[course intake] skipped: {type(_err).__name__}: {_err}", file=sys.stderr)

# The term (term.toml at the course root; grader_tests/framework/pipeline/term.py): the exchange
# students submit to and fetch feedback from ($COURSE_EXCHANGE, else the term file's [exchange]
# root, else /srv/nbgrader/exchange); the late policy through nbgrader's late-penalty plugin
# (free late days for the term, then a penalty per late day, written as nbgrader's notebook
# penalty); and a note at the top of each feedback page on the graded submission's time, due
# date, lateness, late days used and left, and penalty.
try:
    from grader_tests.framework.pipeline.term import exchange_root as _exchange_root
    from grader_tests.framework.pipeline.term_grades import LatenessNote, TermLatePenalty
    c.Exchange.root = _exchange_root(COURSE_ROOT)
    c.AssignLatePenalties.plugin_class = TermLatePenalty
    c.GenerateFeedback.preprocessors = [*c.GenerateFeedback.preprocessors, LatenessNote]
except Exception as _err:  # a term file that cannot be read is reported by the course's commands
    print(f"[course] term: {type(_err).__name__}: {_err}", file=sys.stderr)
