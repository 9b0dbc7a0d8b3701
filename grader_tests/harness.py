"""Assignment-independent machinery for hidden tests.

- `answer_source(grade_id)`: the source of the student's answer cell for a unit.
- `load_answer(grade_id, namespace)`: run that cell alone in a fresh namespace (the given code's
  names plus the *reference* versions of the units it builds on: SPEC 3, isolation).
- `grading_devices()`: CUDA when available, and always the CPU.
- `GradingFailure`: the only exception a check raises on purpose; its message is what the
  student reads in the feedback (one or two sentences, never reference code or grader paths).
- `ForbiddenOps`: a torch function mode that records calls of torch's recurrent kernels.

The checks are split in two halves (see `grader_tests/recurrent_cells.py`): a *probe* that runs
student code on the grader's inputs and returns plain arrays, and a *judge* that recomputes
with the reference and compares. Today both run in the autograde kernel; the trusted-grading
work moves the judge out of it.
"""
import ast
import glob
import json
import os
import re

import torch
from torch.overrides import TorchFunctionMode


class GradingFailure(AssertionError):
    """A hidden-test verdict: the message is shown to the student as it is."""


# ---------------------------------------------------------------------------------------------
# Where the student's answer cell comes from
# ---------------------------------------------------------------------------------------------

def _cell_text(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _source_from_notebook_on_disk(grade_id):
    """Under `nbgrader autograde` the sanitised notebook lies in the kernel's working folder."""
    for path in sorted(glob.glob("*.ipynb")):
        try:
            with open(path, encoding="utf-8") as fh:
                nb = json.load(fh)
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade_id") == grade_id and cell.get("cell_type") == "code":
                return _cell_text(cell)
    return None


def _top_level_names(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))}


def _source_from_history(names):
    """In an interactive kernel: the latest executed cell that defines all `names`."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None:
        return None
    for source in reversed(shell.user_ns.get("In", [])):
        if names <= _top_level_names(source):
            return source
    return None


def answer_source(grade_id, names):
    """Source of the answer cell `grade_id`, which must define every name in `names`."""
    names = set(names)
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        source = _source_from_notebook_on_disk(grade_id)
    else:
        source = _source_from_history(names) or _source_from_notebook_on_disk(grade_id)
    if source is None:
        raise GradingFailure(
            f"The answer cell `{grade_id}` was not found: keep the cell that defines "
            f"{', '.join(sorted(names))} and run it before the tests.")
    return source


def load_answer(grade_id, names, namespace, source=None):
    """Run the answer cell `grade_id` alone in a copy of `namespace`; return the new namespace.

    `source` overrides where the cell comes from (the grader's own tests pass corpus files).
    A cell that raises, or that does not define `names`, fails with a message saying so.
    """
    if source is None:
        source = answer_source(grade_id, names)
    scope = dict(namespace)
    scope["__name__"] = "__main__"
    try:
        code = compile(source, f"<answer cell {grade_id}>", "exec")
    except SyntaxError as err:
        raise GradingFailure(f"Your answer cell `{grade_id}` has a syntax error on line "
                             f"{err.lineno}: {err.msg}.") from None
    try:
        exec(code, scope)
    except NotImplementedError:
        raise GradingFailure(f"The answer cell `{grade_id}` still raises NotImplementedError: "
                             "it has not been answered yet.") from None
    except Exception as err:  # the student's cell itself failed: report it, briefly
        raise GradingFailure(f"Running your answer cell `{grade_id}` on its own raised "
                             f"{describe_exception(err)}.") from None
    missing = [name for name in sorted(set(names)) if name not in scope]
    if missing:
        raise GradingFailure(f"The answer cell `{grade_id}` does not define {', '.join(missing)}.")
    return scope


def namespace_from(given_source):
    """A fresh namespace built by running the given code `given_source`."""
    scope = {"__name__": "__main__"}
    exec(compile(given_source, "<given code>", "exec"), scope)
    return scope


def describe_exception(err, limit=200):
    """`TypeName: message`, shortened, with no file paths."""
    text = f"{type(err).__name__}: {err}"
    text = re.sub(r"(/[\w.\-]+)+\.py", "<file>", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------------
# Devices
# ---------------------------------------------------------------------------------------------

def grading_devices():
    """Devices a PyTorch unit is checked on: CUDA first when available, then the CPU."""
    devices = []
    if torch.cuda.is_available():
        devices.append(torch.device("cuda"))
    devices.append(torch.device("cpu"))
    return devices


def report_devices(unit, devices):
    """The line a hidden test prints to record where it ran."""
    print(f"{unit}: checked on {', '.join(str(d) for d in devices)}")


def deterministic_numerics():
    """Full-precision matmuls (no TF32) while the grader compares numbers."""
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False


# ---------------------------------------------------------------------------------------------
# The from-scratch rule
# ---------------------------------------------------------------------------------------------

FORBIDDEN_FUNCTIONS = {
    "lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell",
    "lstm", "gru", "rnn_tanh", "rnn_relu",
    "_thnn_fused_lstm_cell", "_thnn_fused_gru_cell", "quantized_lstm_cell", "quantized_gru_cell",
    "quantized_rnn_tanh_cell", "quantized_rnn_relu_cell", "_cudnn_rnn", "miopen_rnn",
}
FORBIDDEN_MODULES = (torch.nn.RNNBase, torch.nn.RNNCellBase)


def _function_name(func):
    name = getattr(func, "__name__", None) or str(func)
    return name.split(".")[0] if name.startswith(("lstm", "gru", "rnn", "_")) else name


class ForbiddenOps(TorchFunctionMode):
    """Records calls of torch's recurrent kernels, however they were reached
    (`torch.lstm_cell`, `torch._VF`, `getattr(torch, ...)`, `eval`, an `nn.LSTMCell` inside)."""

    def __init__(self):
        super().__init__()
        self.used = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = _function_name(func)
        if name in FORBIDDEN_FUNCTIONS:
            self.used.add(name)
        return func(*args, **(kwargs or {}))


def forbidden_submodules(module):
    """Names of torch recurrent modules (nn.LSTM, nn.GRUCell, ...) inside `module`."""
    return sorted({type(m).__name__ for m in module.modules() if isinstance(m, FORBIDDEN_MODULES)})


def from_scratch_violation(module_names, used):
    """The student-facing message for a from-scratch violation, or None.

    - module_names: names of torch recurrent modules found inside the student's module
    - used: names of torch recurrent kernels recorded by `ForbiddenOps`
    """
    found = sorted(set(module_names) | {f"torch.{n}" for n in used})
    if not found:
        return None
    return (f"This unit must be written from scratch, but it uses {', '.join(found)}: "
            "use nn.Linear and tensor operations only. It scores 0 even though its numbers may match.")


FORBIDDEN_CLASSES = {"LSTMCell", "GRUCell", "RNNCell", "LSTM", "GRU", "RNN", "RNNBase",
                     "RNNCellBase"}
TAMPERING_NAMES = {"TorchFunctionMode", "_DisableTorchFunction", "DisableTorchFunction",
                   "_DisableTorchFunctionSubclass", "_pop_torch_function_stack",
                   "_push_on_torch_function_stack", "_set_torch_function_mode"}


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def static_from_scratch_violation(source):
    """The from-scratch rule checked on the answer cell's text, where student code cannot
    interfere: torch's recurrent modules (nn.LSTM, torch.nn.GRUCell, ...), fused kernels
    (torch.lstm_cell, torch._VF, ...), their names as strings, and torch internals that switch
    the run-time detection off. Returns the student-facing message or None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            owner = dotted.rsplit(".", 1)[0] if "." in dotted else ""
            if node.attr in FORBIDDEN_CLASSES and owner.split(".")[-1] in ("nn", "modules", "rnn"):
                found.add(f"nn.{node.attr}")
            if node.attr in FORBIDDEN_FUNCTIONS and owner.split(".")[-1] in ("torch", "_VF", "aten", "_C"):
                found.add(f"torch.{node.attr}")
            if node.attr == "_VF" or dotted.startswith("torch._C") or node.attr in TAMPERING_NAMES:
                found.add(dotted if node.attr != "_VF" else "torch._VF")
        elif isinstance(node, ast.Name) and (node.id == "_VF" or node.id in TAMPERING_NAMES):
            found.add(node.id)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in FORBIDDEN_CLASSES | FORBIDDEN_FUNCTIONS | {"_VF"} | TAMPERING_NAMES:
                    found.add(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in FORBIDDEN_FUNCTIONS - {"lstm", "gru", "rnn_tanh", "rnn_relu"} or "_VF" in node.value:
                found.add(f"'{node.value}'")
    if not found:
        return None
    return (f"This unit must be written from scratch, but its code refers to {', '.join(sorted(found))}: "
            "use nn.Linear and tensor operations only. It scores 0 even though its numbers may match.")
