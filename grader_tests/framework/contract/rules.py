"""Rules a unit's contract states (SPEC 3, "Rules are per unit"): what its answer must not use,
or must use. A unit's rules are listed in its table row; a violation scores 0 on that unit with
a message that says why, whatever its numbers.

Each rule is checked twice:
- statically, on the answer cell's text, in the trusted grading process (student code cannot
  interfere there);
- at run time, in the sandboxed probe child (`monitor` records torch kernels and modules called
  and imports refused while the answer cell, its visible tests and the probes run). For
  from-scratch units the recurrent aten operators are also blocked at torch's dispatcher
  (`KernelBlock`, through `torch.library`): code that takes the function mode off the stack
  still cannot get a result from them, and removing the block is detected.

What a determined attacker could still do: the probe child is the student's own process, so
code written to patch the grader's modules in it (or to restore the block after using a kernel)
could forge its record. That takes deliberate, visible code aimed at the grader (names built
from strings, `gc`, `sys.modules`), which the static check flags where it can and a reader of
the submission sees; the verdict's numbers are still judged outside the process.

This module is copied into the sandbox: no reference code here, and torch is imported only
when a rule needs it (numpy assignments never load it).
"""
import ast
import contextlib
import dataclasses
import sys

# torch's recurrent kernels (names as torch's function mode and `torch.<name>` see them)
RECURRENT_FUNCTIONS = frozenset({
    "lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell",
    "lstm", "gru", "rnn_tanh", "rnn_relu",
    "_thnn_fused_lstm_cell", "_thnn_fused_gru_cell", "quantized_lstm_cell", "quantized_gru_cell",
    "quantized_rnn_tanh_cell", "quantized_rnn_relu_cell", "_cudnn_rnn", "miopen_rnn",
})
# torch's recurrent modules (class names under torch.nn)
RECURRENT_MODULES = frozenset({"LSTMCell", "GRUCell", "RNNCell", "LSTM", "GRU", "RNN", "RNNBase",
                               "RNNCellBase"})
# the aten operators behind them, blocked at torch's dispatcher while a from-scratch unit's code
# runs (KernelBlock): each overload as the dispatcher names it
BLOCKED_ATEN_OPS = ("lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell", "lstm.input", "lstm.data",
                    "gru.input", "gru.data", "rnn_tanh.input", "rnn_tanh.data", "rnn_relu.input",
                    "rnn_relu.data", "_thnn_fused_lstm_cell", "_thnn_fused_gru_cell", "_cudnn_rnn",
                    "miopen_rnn", "quantized_lstm_cell", "quantized_gru_cell", "quantized_rnn_tanh_cell",
                    "quantized_rnn_relu_cell")
BLOCKED_DISPATCH_KEYS = ("CompositeImplicitAutograd", "CPU", "CUDA", "Meta")
# torch internals that switch run-time detection off
TAMPERING_NAMES = frozenset({"TorchFunctionMode", "_DisableTorchFunction", "DisableTorchFunction",
                             "_DisableTorchFunctionSubclass", "_pop_torch_function_stack",
                             "_push_on_torch_function_stack", "_set_torch_function_mode",
                             "Library", "get_objects", "_destroy"})
# libraries a numpy-only answer may not use (automatic differentiation or tensor frameworks)
NON_NUMPY_LIBRARIES = frozenset({"torch", "tensorflow", "jax", "jaxlib", "autograd", "cupy",
                                 "mxnet", "keras", "paddle", "theano", "chainer"})


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _parse(source):
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class FromScratch:
    """torch's recurrent modules and fused recurrent kernels are forbidden (SPEC 4.1, 4.5)."""
    name: str = "from scratch"
    needs_torch: bool = True

    def static_violation(self, source):
        tree = _parse(source)
        if tree is None:
            return None
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                dotted = _dotted(node)
                owner = dotted.rsplit(".", 1)[0] if "." in dotted else ""
                if node.attr in RECURRENT_MODULES and owner.split(".")[-1] in ("nn", "modules", "rnn"):
                    found.add(f"nn.{node.attr}")
                if node.attr in RECURRENT_FUNCTIONS and owner.split(".")[-1] in ("torch", "_VF", "aten", "_C"):
                    found.add(f"torch.{node.attr}")
                if node.attr == "_VF" or dotted.startswith("torch._C") or node.attr in TAMPERING_NAMES:
                    found.add(dotted if node.attr != "_VF" else "torch._VF")
            elif isinstance(node, ast.Name) and (node.id == "_VF" or node.id in TAMPERING_NAMES):
                found.add(node.id)
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name in RECURRENT_MODULES | RECURRENT_FUNCTIONS | {"_VF"} | TAMPERING_NAMES:
                        found.add(f"{node.module}.{alias.name}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                short = RECURRENT_FUNCTIONS - {"lstm", "gru", "rnn_tanh", "rnn_relu"}
                if node.value in short or "_VF" in node.value:
                    found.add(f"'{node.value}'")
        return self._message("its code refers to", found)

    def runtime_violation(self, record):
        if record.get("kernel_block") == "tampered":
            return ("This unit must be written from scratch, but its code switched off the grader's block "
                    "on torch's recurrent kernels. It scores 0.")
        found = {f"torch.{n}" for n in record.get("torch_functions", []) if n in RECURRENT_FUNCTIONS}
        found |= {f"torch.{n}" for n in record.get("blocked_kernels", [])}
        found |= {f"nn.{n}" for n in record.get("modules_called", []) if n in RECURRENT_MODULES}
        return self._message("it uses", found)

    @staticmethod
    def _message(verb, found):
        if not found:
            return None
        return (f"This unit must be written from scratch, but {verb} {', '.join(sorted(found))}: "
                "use nn.Linear and tensor operations only. It scores 0 even though its numbers may match.")


@dataclasses.dataclass(frozen=True)
class NumpyOnly:
    """The answer is numpy code: no torch, autograd or other tensor framework (SPEC 4.2-4.4)."""
    name: str = "numpy only"
    needs_torch: bool = False

    def static_violation(self, source):
        tree = _parse(source)
        if tree is None:
            return None
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.split(".")[0] in NON_NUMPY_LIBRARIES}
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module.split(".")[0] in NON_NUMPY_LIBRARIES:
                    found.add(node.module)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value.split(".")[0] in NON_NUMPY_LIBRARIES:
                    found.add(node.value)
        return self._message(found)

    def runtime_violation(self, record):
        return self._message(set(record.get("refused_imports", [])))

    @staticmethod
    def _message(found):
        if not found:
            return None
        return (f"This unit must be written with numpy only, but it uses {', '.join(sorted(found))}: "
                "compute the values and gradients yourself with numpy. It scores 0 even though its "
                "numbers may match.")


@dataclasses.dataclass(frozen=True)
class Requires:
    """The contract builds on a torch module (SPEC 4.5's seq_* units use nn.RNN/nn.GRU/nn.LSTM)."""
    module: str
    name: str = "requires"
    needs_torch: bool = True

    def static_violation(self, source):
        return None

    def runtime_violation(self, record):
        if not record.get("ran_probes") or self.module in record.get("modules_called", []):
            return None
        return (f"This unit must use nn.{self.module} (its contract builds on it), but nn.{self.module} "
                "was never called in its forward pass.")


FROM_SCRATCH = FromScratch()
NUMPY_ONLY = NumpyOnly()


def static_violation(rules, source, named=False):
    """The first message of a rule the answer's text breaks, or None; `named`: (the rule's name,
    its message), or (None, None)."""
    for rule in rules:
        message = rule.static_violation(source)
        if message:
            return (rule.name, message) if named else message
    return (None, None) if named else None


def runtime_violation(rules, record, named=False):
    """The first message of a rule the run-time monitor's record shows broken (see
    `static_violation`)."""
    for rule in rules:
        message = rule.runtime_violation(record or {})
        if message:
            return (rule.name, message) if named else message
    return (None, None) if named else None


# ---------------------------------------------------------------------------------------------
# Run-time monitoring (sandbox side)
# ---------------------------------------------------------------------------------------------

class _RefuseImports:
    """A meta-path finder that refuses the libraries a numpy-only answer may not use."""

    def __init__(self, record):
        self.record = record

    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in NON_NUMPY_LIBRARIES:
            self.record.setdefault("refused_imports", [])
            if top not in self.record["refused_imports"]:
                self.record["refused_imports"].append(top)
            raise ImportError(f"{top} is not available here: this unit is numpy only")
        return None


class KernelBlock:
    """torch's recurrent aten operators made to raise, through `torch.library`, for every dispatch
    key that matters: below the Python layer, so no way of reaching them (a module, `torch._VF`,
    `torch.ops.aten`, a function mode taken off the stack) gets a result. Calls are recorded in
    `record['blocked_kernels']`; on exit the block checks it is still in force (a sentinel call
    must hit it), records `record['kernel_block'] = 'tampered'` when it is not, and removes itself,
    which gives the operators their kernels back."""
    MARK = "blocked by the grader: this unit is written from scratch"

    def __init__(self, record):
        self.record, self.attempts, self.lib = record, set(), None

    def _blocked(self, op):
        def blocked(*args, **kwargs):
            self.attempts.add(op.split(".")[0])
            self.record["blocked_kernels"] = sorted(self.attempts)
            raise RuntimeError(f"torch.{op.split('.')[0]} is {self.MARK}")
        return blocked

    def __enter__(self):
        import warnings

        import torch
        self.lib = torch.library.Library("aten", "IMPL")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # "overriding a previously registered kernel"
            for op in BLOCKED_ATEN_OPS:
                for key in BLOCKED_DISPATCH_KEYS:
                    try:
                        self.lib.impl(op, self._blocked(op), key)
                    except Exception:  # an operator this build lacks, or a key it does not take
                        pass
        return self

    def _intact(self):
        """Whether the block still holds: a sentinel call must reach it (and is then forgotten)."""
        import torch
        before = set(self.attempts)
        self.attempts.discard("lstm_cell")
        x = torch.zeros(1, 1)
        try:
            torch.ops.aten.lstm_cell(x, [x, x], torch.zeros(4, 1), torch.zeros(4, 1))
            reached = False
        except RuntimeError as err:
            reached = self.MARK in str(err) and "lstm_cell" in self.attempts
        except Exception:
            reached = False
        self.attempts = before
        return reached

    def __exit__(self, *exc):
        if not self._intact():
            self.record["kernel_block"] = "tampered"
        self.record["blocked_kernels"] = sorted(self.attempts)
        self.lib._destroy()
        return False


@contextlib.contextmanager
def monitor(rules):
    """Record, while student code runs, what the rules need: torch functions and module types
    called (only when a rule needs torch), and imports refused for numpy-only units. Yields the
    record (a JSON-able dict)."""
    record = {}
    with contextlib.ExitStack() as stack:
        if any(isinstance(r, NumpyOnly) for r in rules):
            # the libraries leave this process's module table, and importing them is refused
            saved = {k: v for k, v in sys.modules.items() if k.split(".")[0] in NON_NUMPY_LIBRARIES}
            for k in saved:
                del sys.modules[k]
            finder = _RefuseImports(record)
            sys.meta_path.insert(0, finder)

            def restore():
                sys.meta_path.remove(finder)
                sys.modules.update(saved)
            stack.callback(restore)
        if any(isinstance(r, FromScratch) for r in rules):
            stack.enter_context(KernelBlock(record))
        if any(r.needs_torch for r in rules):
            import torch
            ops = ForbiddenOps()
            stack.enter_context(ops)
            called = set()

            def hook(module, args):  # torch's own classes only (a student's LSTMCell is not nn's)
                called.update(c.__name__ for c in type(module).__mro__
                              if c.__module__.startswith("torch.nn.") and c.__name__ != "Module")
            handle = torch.nn.modules.module.register_module_forward_pre_hook(hook)
            stack.callback(handle.remove)
            stack.callback(lambda: record.update(torch_functions=sorted(ops.used),
                                                 modules_called=sorted(called)))
        yield record


def _function_name(func):
    name = getattr(func, "__name__", None) or str(func)
    return name.split(".")[0] if name.startswith(("lstm", "gru", "rnn", "_")) else name


def _forbidden_ops_class():
    from torch.overrides import TorchFunctionMode

    class _ForbiddenOps(TorchFunctionMode):
        """Records calls of torch's recurrent kernels, however they were reached
        (`torch.lstm_cell`, `torch._VF`, `getattr(torch, ...)`, `eval`, an `nn.LSTMCell` inside)."""

        def __init__(self):
            super().__init__()
            self.used = set()

        def __torch_function__(self, func, types, args=(), kwargs=None):
            name = _function_name(func)
            if name in RECURRENT_FUNCTIONS:
                self.used.add(name)
            return func(*args, **(kwargs or {}))
    return _ForbiddenOps


def ForbiddenOps():  # noqa: N802 (a class, built on first use so numpy units never import torch)
    global _FORBIDDEN_OPS
    if _FORBIDDEN_OPS is None:
        _FORBIDDEN_OPS = _forbidden_ops_class()
    return _FORBIDDEN_OPS()


_FORBIDDEN_OPS = None
