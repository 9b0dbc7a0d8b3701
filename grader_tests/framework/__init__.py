"""The grading framework, in layers; each imports only the layers above it in this list:

- `contract`: what a course declares and every layer reads: unit tables (`table`), per-unit
  rules (`rules`), tolerances (`numerics`), verdicts (`verdict`) and unit specs (`spec`).
  Light: reading a table imports no notebook, kernel or tensor library.
- `sandboxed`: what runs inside the grading sandbox beside student code, copied there: the
  answer cell's namespace (`harness`), the generic kinds' cases and probes (`kinds`), the
  probe runner and the warm probe server. Never the reference.
- `judging`: the trusted half: probe data judged against `reference/` (the generic kinds'
  judges, a test cell's verdict in `outcome`), and `checks`, both halves in one process.
- `pipeline`: nbgrader and the machine: the sandbox and per-submission limits, starting and
  collecting one notebook's probes (`grading`, `probe_service`), nbgrader's preprocessors,
  intake and structure repair, Dask scheduling, submission building.
- `reports`: what people read: the feedback summary and formgrader views, the class report.

Older scripts may import the flat names of before (`grader_tests.framework.table`,
`grader_tests.framework.submission_builder`, `grader_tests.framework.trusted`, ...): they resolve
to the modules of the layers.
"""
import importlib
import importlib.abc
import importlib.util
import sys

# The flat module names of the earlier layout, and where each lives now.
MOVED = {
    "table": "contract.table", "rules": "contract.rules", "numerics": "contract.numerics",
    "harness": "sandboxed.harness", "kinds": "sandboxed.kinds", "probe_runner": "sandboxed.probe_runner",
    "probe_server": "pipeline.probe_service", "trusted": "pipeline.grading", "checks": "judging.checks",
    "sandbox": "pipeline.sandbox", "limits": "pipeline.limits", "nbgrader_plugins": "pipeline.nbgrader_plugins",
    "intake": "pipeline.intake", "structure": "pipeline.structure", "scheduling": "pipeline.scheduling",
    "submission_builder": "pipeline.submission_builder", "class_report": "reports.class_report",
    "diagnosis": "reports.diagnosis", "similarity": "reports.similarity",
    "grading_views": "reports.grading_views",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`grader_tests.framework.<flat name>` is the module of its layer (the same object)."""

    def find_spec(self, name, path=None, target=None):
        prefix, _, flat = name.rpartition(".")
        if prefix == __name__ and flat in MOVED:
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        return importlib.import_module(f"{__name__}.{MOVED[spec.name.rpartition('.')[2]]}")

    def exec_module(self, module):
        pass


if not any(isinstance(f, _MovedModules) for f in sys.meta_path):
    sys.meta_path.append(_MovedModules())
