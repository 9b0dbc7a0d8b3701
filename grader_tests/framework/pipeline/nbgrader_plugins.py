"""nbgrader preprocessors that make the stock pipeline safe for this course (SPEC 8).

- `RequireGraderPackages` (autograde, first): the grader and its sandbox must work; otherwise
  autograde stops with a clear error instead of silently giving every student 0.
- `HideHiddenTests`, `ContainedExecute`, `TrustedGrading` (autograde): the kernel runs the
  notebook without hidden tests, a dead kernel voids nothing, and every test cell's outcome is
  decided by trusted grading (grader_tests/framework/pipeline/grading.py), not by the kernel.
- `SanitizeFeedback` (generate_feedback, after ClearHiddenTests): a failed test shows only its
  one- or two-sentence message; tracebacks, grader paths and source lines never reach students.
"""
import json
import pathlib
import re
import time

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode


class GraderPackagesMissing(RuntimeError):
    pass


class RequireGraderPackages(NbGraderPreprocessor):
    """Fail loudly, before any student is graded, when the grader cannot work: its modules do
    not import in this process, the sandbox's tools are missing, or a sandboxed interpreter
    cannot start and import what the notebooks need (`sandbox.require_working_sandbox`): then
    every kernel would die at start and every student would get the same zeros."""

    modules = List(Unicode(), ["grader_tests.framework.pipeline.grading"],
                   help="Modules the trusted grading imports besides every assignment's "
                        "table, probe, judge and reference").tag(config=True)

    def preprocess(self, nb, resources):
        import importlib
        try:
            from grader_tests.framework.pipeline import sandbox
            from grader_tests.framework.contract import table
            names = list(self.modules)
            for assignment in table.assignments():
                package = table.load(assignment).package_name
                names += [f"{package}.units", f"{package}.probe", f"{package}.judge",
                          f"reference.{assignment}"]
            for name in names:
                importlib.import_module(name)
            sandbox.require_tools()
        except Exception as err:
            raise GraderPackagesMissing(
                f"Autograde stopped: the grader cannot run ({type(err).__name__}: {err}). Run "
                "nbgrader from the course root with the course's virtualenv active; see README.") from err
        sandbox.require_working_sandbox()
        return nb, resources


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Roots too wide to name: a path under them says nothing of the grader (/usr/lib/libc.so.6).
_TOO_WIDE = {"/", "/usr", "/usr/local", "/opt", "/var", "/srv"}


def private_folders():
    """The folders whose paths must not reach a student, each as written and as resolved: the
    course root and its data folder, the grader (grader_tests/, reference/), temporary folders,
    home folders, and the Python installation and virtualenv grading runs on. Computed, not
    guessed from the text: a hint's `C // G` or `a/b`, or a URL, is no path of these."""
    import os
    import site
    import sys
    import sysconfig
    import tempfile
    grader = pathlib.Path(__file__).resolve().parents[2]
    candidates = [os.environ.get("COURSE_ROOT"), grader.parent, os.environ.get("COURSE_DATA_DIR"),
                  grader, grader.parent / "reference",
                  tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~"),
                  "/home", "/root", sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                  os.path.dirname(sys.executable)]
    candidates += [sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")]
    try:
        candidates += site.getsitepackages() + [site.getusersitepackages()]
    except AttributeError:   # a virtualenv's old site module
        pass
    folders = set()
    for folder in candidates:
        for form in {str(folder or ""), os.path.realpath(str(folder or "/"))}:
            form = form.rstrip("/")
            if form and form not in _TOO_WIDE and form.startswith("/"):
                folders.add(form)
    return sorted(folders, key=len, reverse=True)


def _private_path_pattern():
    """A path that starts at one of `private_folders()` (not inside a longer word, URL or path)
    and runs to the next space, quote, bracket, comma or colon."""
    roots = "|".join(re.escape(f) for f in private_folders())
    return re.compile(rf"(?<![\w./:~-])(?:{roots})(?![\w.-])(?:/[^\s'\"():,\]\[<>]*)*")


def scrub(text):
    """`text` without ANSI colours and with every real private path (`private_folders`) replaced
    by `<path>`; anything else that merely looks like a path is left as it is."""
    return _private_path_pattern().sub("<path>", _ANSI.sub("", text))


class SanitizeFeedback(NbGraderPreprocessor):
    """Error outputs reduced to their message, and private paths scrubbed from every output.

    A graded test cell's error output is the grader's verdict: its `evalue` is the whole message
    the student reads and its `ename` names the kind of failure ("Hidden test failed", "Not
    answered yet"); the page shows the message as it is, nothing prepended or renamed. Any other
    cell's error is the student's own code's: `Name: message`, with no traceback. Consecutive
    pieces of one stream are joined (one box per print, not one per message the kernel sent)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        from nbgrader import utils
        joined = []
        for output in cell.get("outputs", []):
            previous = joined[-1] if joined else None
            if output.output_type == "stream" and previous is not None and previous.output_type == "stream" \
                    and previous.get("name") == output.get("name"):
                previous.text = "".join(previous.text) + "".join(output.text)
            else:
                joined.append(output)
        cell.outputs = joined
        verdicts = utils.is_grade(cell) and not utils.is_solution(cell)
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                name = str(output.get("ename") or "Error")
                message = scrub(str(output.get("evalue") or "")).strip()
                output.evalue = message
                if not message:
                    shown = f"{name} (raised without a message)"
                else:
                    shown = message if verdicts else f"{name}: {message}"
                output.traceback = [shown]
            elif output.output_type == "stream":
                output.text = scrub(output.text)
            elif "data" in output:
                for mime in ("text/plain", "text/html", "text/markdown"):
                    if mime in output.data:
                        output.data[mime] = scrub(output.data[mime])
        return cell, resources


# ---------------------------------------------------------------------------------------------
# Trusted, crash-contained grading (see grader_tests/framework/pipeline/grading.py)
# ---------------------------------------------------------------------------------------------

from nbclient.exceptions import CellTimeoutError, DeadKernelError  # noqa: E402
from nbformat.v4 import new_output  # noqa: E402
from nbgrader.preprocessors import Execute  # noqa: E402
from nbgrader import utils as nbgrader_utils  # noqa: E402

from grader_tests.framework.pipeline import limits, grading  # noqa: E402
from grader_tests.framework.contract.verdict import VERDICT_KEY  # noqa: E402

HIDDEN_PLACEHOLDER = "# (hidden tests: graded outside your kernel)\n"
MAX_CELL_OUTPUT_BYTES = 2 * 2**20


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _answers_and_tests(nb, originals):
    """The answer cells' and test cells' sources (test cells as restored from the gradebook)."""
    answers = {_grade_id(c): c.source for c in nb.cells
               if c.cell_type == "code" and nbgrader_utils.is_solution(c)}
    tests = {_grade_id(c): originals.get(i, c.source) for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and nbgrader_utils.is_grade(c) and not nbgrader_utils.is_solution(c)}
    return answers, tests


class HideHiddenTests(NbGraderPreprocessor):
    """Before the kernel runs: hidden test blocks are replaced by a comment, so the student's
    kernel never sees (or runs) grader code. `TrustedGrading` puts them back."""

    def _submission_dir(self, resources):
        """The student's submitted folder (files such as a checkpoint are read from there, as
        submitted, not from the autograded copy the kernel works in)."""
        from nbgrader.coursedir import CourseDirectory
        info = resources.get("nbgrader", {})
        if "student" not in info:
            return None
        coursedir = CourseDirectory(config=self.config)
        return coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"])

    def preprocess(self, nb, resources):
        resources["course_timing"] = {"begin": time.monotonic()}
        # everything this notebook's student code runs (probes, kernel) goes into one cgroup
        info = resources.get("nbgrader", {})
        caps = limits.SubmissionLimits(config=self.config)
        if "student" in info:
            group = limits.begin(f"{info['student']}.{info.get('notebook', '')}", caps)
            if not group.capped:
                self.log.warning("PER-SUBMISSION LIMITS UNAVAILABLE (%s): grading with per-process "
                                 "rlimits only (degraded mode, see grader_tests/framework/pipeline/limits.py)",
                                 group.reason)
        originals = {}
        for index, cell in enumerate(nb.cells):
            if nbgrader_utils.is_grade(cell) and cell.cell_type == "code" and grading.has_hidden(cell.source):
                originals[index] = cell.source
                cell.source = grading.visible_part(cell.source).rstrip() + "\n" + HIDDEN_PLACEHOLDER
        resources["hidden_test_sources"] = originals
        # the trusted probes run in their sandbox while the kernel runs the notebook
        answers, tests = _answers_and_tests(nb, originals)
        resources["trusted_grading"] = grading.start_grading(
            resources["nbgrader"]["assignment"], answers, tests,
            submission_dir=self._submission_dir(resources), unit_seconds=caps.unit_seconds)
        resources["course_timing"]["setup"] = time.monotonic() - resources["course_timing"]["begin"]
        return nb, resources


class ContainedExecute(Execute):
    """nbgrader's Execute with the kernel sandboxed (grader_tests/framework/pipeline/sandbox.py). A dead kernel
    (os._exit, segfault, out of memory) or a timed-out cell no longer voids the submission: the
    cell says what happened, later cells are marked not run, and grading goes on. Output beyond
    2 MB per cell is dropped (an output flood)."""

    def __init__(self, *args, **kwargs):
        from grader_tests.framework.pipeline.sandbox import SandboxedKernelManager
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources, km=None):
        self._kernel_lost = None
        self._output_bytes = {}
        self._times = resources.setdefault("course_timing", {})
        self._times["execute_at"] = time.monotonic()
        try:
            return super().preprocess(nb, resources, km=km)
        except Exception as err:   # the kernel did not start, or its shutdown failed
            if "kernel_ready_at" not in self._times:
                self._refuse_broken_environment(err)
            self.log.error("The kernel failed outside a cell (%s: %s); cells not run are marked",
                           type(err).__name__, err, exc_info=True)
            why = self._lost_message("The kernel stopped responding before this cell")
            for cell in nb.cells:
                if cell.cell_type == "code" and not cell.get("outputs"):
                    cell.outputs = [new_output("error", ename="NotRun", evalue=why,
                                               traceback=[f"NotRun: {why}"])]
            return nb, resources
        finally:   # kernel start: until the first cell; then the cells; then the shutdown
            end = time.monotonic()
            ready = self._times.pop("kernel_ready_at", end)
            last = self._times.pop("last_cell_at", ready)
            self._times["kernel_start"] = ready - self._times.pop("execute_at")
            self._times["cells"] = last - ready
            self._times["kernel_stop"] = end - last
            # nbclient does not clean up after a kernel that died or timed out: its runtime
            # folder (sockets, connection key) goes with the notebook's grading all the same
            from grader_tests.framework.pipeline.sandbox import remove_runtime_dirs
            remove_runtime_dirs()

    def _refuse_broken_environment(self, err):
        """A kernel that never started: when a fresh sandboxed interpreter cannot start either,
        the grading environment broke (every submission would die the same way): stop, record
        nothing. Otherwise the submission's own run failed, and grading goes on."""
        from grader_tests.framework.pipeline import sandbox
        reason = sandbox.recheck()
        if reason:
            raise sandbox.GradingEnvironmentBroken(
                f"Autograde stopped: the kernel did not start ({type(err).__name__}: {err}). "
                f"{sandbox.BROKEN_MARK}: {reason}") from err

    def preprocess_cell(self, cell, resources, index):
        if "kernel_ready_at" not in self._times:
            self._times["kernel_ready_at"] = time.monotonic()
        try:
            return self._run_cell(cell, resources, index)
        finally:
            self._times["last_cell_at"] = time.monotonic()

    def _run_cell(self, cell, resources, index):
        if self._kernel_lost and cell.cell_type == "code":
            cell.outputs = [new_output("error", ename="NotRun", evalue=self._kernel_lost,
                                       traceback=[f"NotRun: {self._kernel_lost}"])]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except CellTimeoutError:   # the timeout's interrupt ends the sandbox
            message = (f"This cell did not finish within {self.timeout} s; the kernel was "
                       "stopped and later cells were not run.")
        except DeadKernelError:
            message = self._lost_message("The kernel died in this cell",
                                         "(os._exit, a crash, or the memory limit)")
        except Exception as err:
            # The kernel's messages are the student's: a kernel starved of threads at the
            # process cap sends half a message (zmq: "Invalid Signature"), a hostile one forges
            # them. Either way this kernel's conversation is over; grading goes on.
            self.log.warning("Unreadable kernel conversation in cell %s (%s: %s)", index,
                             type(err).__name__, err)
            message = self._lost_message("The grader lost contact with the kernel in this cell",
                                         "(its messages became unreadable)")
        self._kernel_lost = "not run: the kernel stopped in an earlier cell"
        cell.outputs.append(new_output("error", ename="KernelDied", evalue=message,
                                       traceback=[f"KernelDied: {message}"]))
        self.log.warning("Kernel lost in cell %s", index)
        return cell, resources

    @staticmethod
    def _lost_message(what, cause=""):
        """`what` happened to the kernel: the sentence for the student, naming the submission
        limits their code reached when it reached any."""
        group = limits.current()
        hit = group.limits_hit() if group is not None and group.active else []
        if hit:
            return (f"{what} after your code reached "
                    f"{' and '.join(group.limits.phrase(h) for h in hit)}; later cells were not run.")
        return f"{what}{' ' + cause if cause else ''}; later cells were not run."

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {})))
        total = self._output_bytes.get(cell_index, 0) + size
        self._output_bytes[cell_index] = total
        if total > MAX_CELL_OUTPUT_BYTES:
            if total - size <= MAX_CELL_OUTPUT_BYTES:
                outs.append(new_output("stream", name="stdout",
                                       text="\n[output truncated: more than 2 MB]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)


# What a failed test cell's error output is named after, by the verdict's symptom (the message
# itself is the verdict's, whole: nothing is prefixed or renamed later).
FAILURE_NAMES = {"not_answered": "Not answered yet", "visible": "Visible test failed",
                 "rule": "Rule broken", "run": "Grading stopped", "stopped": "Grading stopped",
                 "syntax": "Syntax error"}
HIDDEN_FAILURE = "Hidden test failed"


def record_verdict(cell, verdict):
    """Keep the verdict as data in the test cell's metadata (the feedback summary and the class
    report read it from the autograded notebook)."""
    cell.metadata.setdefault(VERDICT_KEY, {})["verdict"] = verdict.as_dict()


def failure_output(verdict):
    """The error output a failed test cell shows: the kind of failure, and the verdict's message."""
    name = FAILURE_NAMES.get(verdict.symptom, HIDDEN_FAILURE)
    return new_output("error", ename=name, evalue=verdict.message, traceback=[f"{name}: {verdict.message}"])


class TrustedGrading(NbGraderPreprocessor):
    """After the kernel ran: every test cell of a graded unit gets the outcome computed by
    `grading.start_grading` / `finish_grading` (sandboxed probes, judged here), replacing the kernel's outputs."""

    def preprocess(self, nb, resources):
        originals = resources.pop("hidden_test_sources", {})
        for index, source in originals.items():
            nb.cells[index].source = source
        start = time.perf_counter()
        pending = resources.pop("trusted_grading", None)
        if pending is None and "nbgrader" in resources:  # HideHiddenTests did not run
            answers, tests = _answers_and_tests(nb, {})
            pending = grading.start_grading(resources["nbgrader"]["assignment"], answers, tests,
                                            unit_seconds=limits.SubmissionLimits(config=self.config).unit_seconds)
        outcomes, status = grading.finish_grading(pending)
        self.log.info("Trusted grading: %d test cells in %.1f s (%s)", len(outcomes),
                      time.perf_counter() - start,  # the wait left after the kernel's run
                      ", ".join(f"{u} {s.get('elapsed', '?')} s" for u, s in status.items()))
        for cell in nb.cells:
            outcome = outcomes.get(_grade_id(cell))
            if outcome is None:
                continue
            record_verdict(cell, outcome)
            if outcome.passed:
                cell.outputs = [new_output("stream", name="stdout", text=outcome.message + "\n")]
                if outcome.score is not None:  # nbgrader's partial credit: a number as the result
                    points = float(cell.metadata["nbgrader"].get("points", 0)) * outcome.score
                    cell.outputs.append(new_output("execute_result", data={"text/plain": f"{points:.2f}"},
                                                   execution_count=None))
            else:
                cell.outputs = [failure_output(outcome)]
        lost = {u: s for u, s in status.items() if s.get("outcome") != "exit" or s.get("code")}
        if lost:
            self.log.warning("Units whose sandboxed run did not finish normally: %s", lost)
        times = resources.pop("course_timing", {})
        times.pop("begin", None)
        times.update(getattr(pending, "timing", {}))
        self._record_run(nb, resources, status, times)
        return nb, resources

    def _record_run(self, nb, resources, status, times=None):
        """Close the notebook's cgroup (nothing of its student code outlives this) and write
        reports/<assignment>/runs/<student>/<notebook>.json: limits mode, usage, caps hit, and
        the kernel's and probes' outcomes (the class report reads it)."""
        group = limits.current()
        usage = limits.end()
        info = resources.get("nbgrader", {})
        if "student" not in info:
            return
        if usage.get("limits_hit"):   # in the log, and for the student in the feedback
            self.log.warning("%s/%s hit the submission limits: %s", info["student"],
                             info.get("notebook"), ", ".join(usage["limits_hit"]))
            from grader_tests.framework.pipeline.intake import grading_note
            nb.cells.insert(0, grading_note(
                "While your notebook was graded, your code reached " +
                " and ".join(group.limits.phrase(h) for h in usage["limits_hit"]) +
                "; the processes over it were stopped. Points come from the grader's own runs "
                "of your answer cells, shown below."))
        kernel = [o.ename for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.get("output_type") == "error" and o.get("ename") in ("KernelDied", "NotRun")]
        record = {"student": info["student"], "assignment": info["assignment"],
                  "notebook": info.get("notebook"), **usage,
                  "kernel": "died" if "KernelDied" in kernel else "ok",
                  "probes": {u: s.get("outcome") for u, s in status.items()},
                  # seconds per phase: setup (cgroup, probe launch), kernel_start, cells,
                  # probe_start, probes, probes_wait (after the kernel), judging
                  "timing": {k: round(v, 3) for k, v in (times or {}).items()}}
        try:
            from nbgrader.coursedir import CourseDirectory
            root = pathlib.Path(CourseDirectory(config=self.config).root)
            folder = root / "reports" / info["assignment"] / "runs" / info["student"]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{info.get('notebook') or 'notebook'}.json").write_text(json.dumps(record, indent=1))
        except OSError as err:
            self.log.warning("could not write the run record: %s", err)
