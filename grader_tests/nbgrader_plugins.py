"""nbgrader preprocessors that make the stock pipeline safe for this course (SPEC 8).

- `RequireGraderPackages` (autograde, first): the autograde kernel must be able to import the
  grader and the references; otherwise autograde stops with a clear error instead of silently
  giving every student 0 (a hidden test's ModuleNotFoundError scores 0 and exits 0).
- `SanitizeFeedback` (generate_feedback, after ClearHiddenTests): a failed test shows only its
  one- or two-sentence message; tracebacks, grader paths and source lines never reach students.
"""
import os
import re
import subprocess
import sys

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode


class GraderPackagesMissing(RuntimeError):
    pass


class RequireGraderPackages(NbGraderPreprocessor):
    """Fail loudly when the autograde kernel could not import the grading packages."""

    modules = List(Unicode(), ["grader_tests.recurrent_cells", "reference.recurrent_cells"],
                   help="Modules every hidden test may import").tag(config=True)
    _checked = None  # one check per process: the environment does not change between students

    def preprocess(self, nb, resources):
        if RequireGraderPackages._checked is None:
            code = "; ".join(f"import {m}" for m in self.modules)
            # the kernel inherits this process's environment and runs in the student's folder
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  cwd=resources.get("metadata", {}).get("path") or None,
                                  env=os.environ.copy(), timeout=120)
            RequireGraderPackages._checked = proc.returncode == 0
            if not RequireGraderPackages._checked:
                self.log.error("The autograde kernel cannot import the grader: %s",
                               proc.stderr.strip().splitlines()[-1:] or proc.stderr)
                RequireGraderPackages._error = proc.stderr.strip()
        if not RequireGraderPackages._checked:
            raise GraderPackagesMissing(
                "Autograde stopped: the kernel cannot import the grading packages "
                f"({', '.join(self.modules)}). Run nbgrader from the course root with the course's "
                "virtualenv active (nbgrader_config.py puts the course root on PYTHONPATH).\n"
                + getattr(RequireGraderPackages, "_error", ""))
        return nb, resources


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:/[^\s'\"():,]+)+")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def scrub(text):
    """Remove absolute paths (grader, course and virtualenv files) from `text`."""
    return _PATH.sub("<path>", _ANSI.sub("", text))


class SanitizeFeedback(NbGraderPreprocessor):
    """Reduce every error output to `Name: message` and scrub paths from all outputs."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                message = scrub(str(output.get("evalue", "")))
                if output.get("ename") == "GradingFailure":
                    output.ename = "Hidden test failed"
                output.evalue = message
                output.traceback = [f"{output.ename}: {message}"]
            elif output.output_type == "stream":
                output.text = scrub(output.text)
            elif "data" in output:
                for mime in ("text/plain", "text/html", "text/markdown"):
                    if mime in output.data:
                        output.data[mime] = scrub(output.data[mime])
        return cell, resources
