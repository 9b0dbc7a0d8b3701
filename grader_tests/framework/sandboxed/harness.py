"""Answer cells and devices: assignment-independent machinery used on both sides of grading.

- `answer_source(grade_id)`: the source of the student's answer cell for a unit.
- `load_answer(grade_id, namespace)`: run that cell alone in a fresh namespace (the given code's
  names plus the *reference* versions of the units it builds on: SPEC 3, isolation).
- `grading_devices()`: CUDA when available, and always the CPU.
- `deterministic_numerics()`: the settings every comparison runs under.
- `GradingFailure`: the only exception a check raises on purpose; its message is what the
  student reads in the feedback (one or two sentences, never reference code or grader paths).

Every check is split in two halves: a *probe* (`grader_tests/<assignment>/probe.py`) that runs
student code on the grader's inputs in the sandbox and returns plain data, and a *judge*
(`grader_tests/<assignment>/judge.py`) that recomputes with `reference/` in the trusted process
(grader_tests/framework/pipeline/grading.py). This module is copied into the sandbox: no reference code
here, and torch is imported only when a device is asked for.
"""
import ast
import glob
import json
import os
import re


class GradingFailure(AssertionError):
    """A failed check, raised where a verdict must stop the run: `verdict` holds it as data (a
    grader_tests/framework/contract/verdict.py `Verdict`), its message is what the student reads."""

    def __init__(self, verdict):
        super().__init__(verdict.message)
        self.verdict = verdict


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
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


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
        from grader_tests.framework.contract import verdict as v
        raise GradingFailure(v.contract(
            f"The answer cell `{grade_id}`", f"was not found: keep the cell that defines "
            f"{', '.join(sorted(names))} and run it before the tests", symptom="missing"))
    return source


def load_answer(grade_id, names, namespace, source=None):
    """Run the answer cell `grade_id` alone in a copy of `namespace`; return the new namespace.

    `source` overrides where the cell comes from (the grader's own tests pass corpus files).
    A cell that raises, or that does not define `names`, fails with a message saying so.
    """
    from grader_tests.framework.contract import verdict as v
    if source is None:
        source = answer_source(grade_id, names)
    scope = dict(namespace)
    scope["__name__"] = "__main__"
    try:
        code = compile(source, f"<answer cell {grade_id}>", "exec")
    except SyntaxError as err:
        raise GradingFailure(v.failed(f"Your answer cell `{grade_id}`", f"has a syntax error on line "
                                      f"{err.lineno}: {err.msg}", symptom="syntax")) from None
    try:
        exec(code, scope)
    except NotImplementedError:
        raise GradingFailure(v.not_answered(f"The answer cell `{grade_id}`")) from None
    except Exception as err:  # the student's cell itself failed: report it, briefly
        raise GradingFailure(v.raised(f"Running your answer cell `{grade_id}` on its own",
                                      describe_exception(err))) from None
    missing = [name for name in sorted(set(names)) if name not in scope]
    if missing:
        raise GradingFailure(v.contract(f"The answer cell `{grade_id}`", f"does not define {', '.join(missing)}",
                                        symptom="missing"))
    return scope


def keyed(aspect, k, arrays):
    """The probe's arrays of the k-th case of `aspect`, under their keys '<aspect>/<k>/<name>'
    (how every probe hands its arrays to the judge in one .npz)."""
    return {f"{aspect}/{k}/{name}": value for name, value in arrays.items()}


def case_arrays(arrays, aspect, k):
    """The judge's side of `keyed`: {name: array} of the k-th case of `aspect`."""
    prefix = f"{aspect}/{k}/"
    return {key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)}


def module_loader(name, source):
    """Given code that makes `source` importable as the module `name` (a course module the
    notebook imports, such as a handout), wherever the grading namespace is built: the course
    folder is hidden in the sandbox, and the grader's copy, never the student's, is the one used."""
    return (f"import sys as _sys\nimport types as _types\n"
            f"_{name} = _types.ModuleType({name!r})\n"
            f"exec(compile({source!r}, {name + '.py'!r}, 'exec'), _{name}.__dict__)\n"
            f"_sys.modules[{name!r}] = _{name}\n")


def imported_modules(sources):
    """The dotted names the code `sources` imports absolutely, in order: `import a.b` gives a.b;
    `from a import b` gives a and a.b (b may be a submodule)."""
    names = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return list(dict.fromkeys(names))


def preimport(names):
    """Import once, in a process that forks one child per unit (the probe server, a probe run),
    the installed modules the given code imports (matplotlib.pyplot, tqdm.auto ...: about 0.25 s
    that each child would spend again). Only modules found outside the working folder, which
    holds the submission's files; a name that is not a module, or a module that fails to import,
    is left to the child, which reports it as before."""
    import importlib.util
    here = os.path.realpath(os.getcwd()) + os.sep

    def installed(module_name):
        spec = importlib.util.find_spec(module_name)
        return spec is not None and spec.origin and not os.path.realpath(spec.origin).startswith(here)

    for name in names:
        try:
            # the top-level name first: finding `a.b` imports `a`, which must not be the folder's
            if installed(name.partition(".")[0]) and installed(name):
                importlib.import_module(name)
        except Exception:  # noqa: BLE001 (a hint for speed: the child imports it and says what failed)
            continue


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


# info['error'] of an answer that still raises the release's NotImplementedError: not answered yet
NOT_ANSWERED = "NotImplementedError"


def record_raised(info, err):
    """Record in a probe's `info` that the student's code raised `err` on a case: a verdict for the
    judge, not a grader failure. A NotImplementedError is the release's placeholder (NOT_ANSWERED);
    anything else is kept as `TypeName: message`."""
    info["error"] = NOT_ANSWERED if isinstance(err, NotImplementedError) else describe_exception(err)


# ---------------------------------------------------------------------------------------------
# Devices
# ---------------------------------------------------------------------------------------------

def grading_devices():
    """Devices a PyTorch unit is checked on: CUDA first when available, then the CPU."""
    import torch
    devices = []
    if torch.cuda.is_available():
        devices.append(torch.device("cuda"))
    devices.append(torch.device("cpu"))
    return devices


def deterministic_numerics():
    """The numerics every comparison runs under, in the probe runner and in the judge: full
    precision matmuls and convolutions (no TF32 on cuBLAS or cuDNN), deterministic cuDNN
    algorithms, and a fixed cuBLAS workspace (required for deterministic CUDA matmuls; it must
    be set before the first cuBLAS call). Without torch loaded nothing needs doing."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    import sys
    torch = sys.modules.get("torch")
    if torch is None:
        return
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.set_float32_matmul_precision("highest")
