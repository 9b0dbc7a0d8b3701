"""The grader on a GPU: every device-dependent unit's reference, solution and corpus files through
the probes and judges on CUDA and on the CPU, compared.

    python tools/gpu_check.py [--budget-seconds 270] [--assignments a b ...] [--json out.json]

Needs only Python, numpy and PyTorch (no nbgrader, no sandbox, no virtualenv: it is meant to run
on a lent GPU machine with its own PyTorch, over a copy of this repository). For each unit whose
probe plan depends on the device (torch modules and functions), each answer (the reference's
source, the instructor's solution, every corpus file) is probed and judged once with devices
["cuda"] and once with ["cpu"]; per unit it prints: the device used, how many verdicts on CUDA
match the CPU's, the largest CUDA-vs-CPU difference of the probes' arrays against the tolerance
of their dtype (a ratio: <= 1 is within tolerance), and seconds. Without CUDA it runs the CPU pass
alone and says so. Exit status 1 when a verdict differs or a difference exceeds its tolerance.
"""
import argparse
import contextlib
import inspect
import io
import json
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def notebook_solutions(assignment_table):
    """{grade_id: source} of the answer cells of the assignment's source notebooks (JSON read
    directly: nbformat may not be installed on the GPU machine)."""
    import re
    marker = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.M)
    answers = {}
    for name in assignment_table.notebook_files:
        nb = json.loads((ROOT / "source" / assignment_table.name / name).read_text())
        for cell in nb["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") and cell.get("cell_type") == "code":
                answers[meta["grade_id"]] = marker.sub("", "".join(cell["source"]))
    return answers


def corpus(assignment, unit_id):
    """[(name, source, expected 'wrong' or 'correct')] of the unit's corpus files."""
    import re
    folder = ROOT / "grader_tests" / assignment / "corpus" / unit_id
    found = []
    for path in sorted(folder.glob("*.py")):
        text = path.read_text()
        expected = re.search(r"^# verdict: (\w+)", text, re.M)
        found.append((path.stem, text, expected.group(1) if expected else "correct"))
    return found


def device_units(assignment_table):
    """The code units whose probe plan names a device (they run on the GPU when there is one)."""
    import importlib
    probes = importlib.import_module(f"{assignment_table.package_name}.probe").PROBES
    found = []
    for unit in assignment_table.code_units:
        spec = probes[unit.id]
        if any(str(device) == "cuda" for aspect in unit.hidden_aspects
               for _, device in spec.plan(aspect, ["cuda"])):
            found.append(unit)
    return found


def reference_is_the_answer(reference, assignment_table, unit):
    """Whether the reference module, run as the answer cell, defines the unit's names as the
    objects its judge compares with (convnets' reference keeps the numpy ThreeLayerConvNet under
    that name and the torch one as TorchThreeLayerConvNet: its source is no answer to the torch unit)."""
    import importlib
    judge = importlib.import_module(f"{assignment_table.package_name}.judge").JUDGES[unit.id]
    compared = getattr(judge, "reference", None)
    compared = set(compared) if isinstance(compared, (tuple, list)) else {compared}
    found = {getattr(reference, name, None) for name in unit.defines}
    if any(rule.static_violation(inspect.getsource(reference)) for rule in unit.rules):
        return False     # the whole module breaks the unit's rule (e.g. other units' nn.RNN)
    return None not in found and (compared == {None} or found <= compared or compared <= found)


def run(assignment_table, unit, source, device):
    """({aspect: passed}, arrays, seconds) of one answer on one device, in this process."""
    from grader_tests.framework.judging.namespace import given_for
    from grader_tests.framework.judging.outcome import cell_outcome
    from grader_tests.framework.sandboxed.probe_runner import probe_unit
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        result, arrays = probe_unit(assignment_table.package_name, unit.id, given_for(assignment_table, unit.id), source,
                                    {}, unit.hidden_aspects, [device])
        passed = {}
        for test in unit.tests:
            if test.aspect and test.hidden:
                test_id = unit.test_id(test)
                result.setdefault("visible", {})[test_id] = None
                verdict = cell_outcome(assignment_table, unit.id, test, test_id, True, result, arrays, [device], source)
                passed[test.aspect] = verdict.passed
    return passed, arrays, time.perf_counter() - start


def worst_difference(cuda_arrays, cpu_arrays):
    """The largest |cuda - cpu| over the arrays both runs made, divided by the tolerance of their
    dtype (contract/numerics.py); and the key it was found at."""
    import numpy as np
    from grader_tests.framework.contract.numerics import tolerance
    worst, where = 0.0, None
    for key in sorted(set(cuda_arrays) & set(cpu_arrays)):
        a, b = np.asarray(cuda_arrays[key]), np.asarray(cpu_arrays[key])
        if a.shape != b.shape or not np.issubdtype(a.dtype, np.number):
            continue
        tol = tolerance("float32" if a.dtype == np.float32 or b.dtype == np.float32 else "float64")
        if a.size == 0:
            continue
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        if not (np.isfinite(a64).all() and np.isfinite(b64).all()):
            continue
        allowed = tol["atol"] + tol["rtol"] * float(np.abs(b64).max())
        ratio = float(np.abs(a64 - b64).max()) / allowed
        if ratio > worst:
            worst, where = ratio, key
    return worst, where


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget-seconds", type=float, default=270.0)
    parser.add_argument("--assignments", nargs="*")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    import torch
    from grader_tests.framework.contract import table
    from grader_tests.framework.sandboxed import harness
    harness.deterministic_numerics()
    cuda = torch.cuda.is_available()
    print(f"torch {torch.__version__}; CUDA: {torch.cuda.get_device_name(0) if cuda else 'not available (CPU pass only)'}")
    started, report, status = time.perf_counter(), [], 0
    for assignment in args.assignments or table.assignments(ROOT):
        assignment_table = table.load(assignment)
        solutions = notebook_solutions(assignment_table)
        reference = __import__(f"reference.{assignment}", fromlist=["*"])
        for unit in device_units(assignment_table):
            answers = [("solution", solutions.get(unit.id, ""), "correct")]
            if reference_is_the_answer(reference, assignment_table, unit):   # the module whole: its helpers too
                answers.insert(0, ("reference", inspect.getsource(reference), "correct"))
            answers += corpus(assignment, unit.id)
            row = {"assignment": assignment, "unit": unit.id, "answers": 0, "matching": 0, "as_expected": 0,
                   "worst": 0.0, "worst_at": None, "seconds": 0.0, "mismatches": [], "unexpected": []}
            for name, source, expected in answers:
                if time.perf_counter() - started > args.budget_seconds:
                    row["stopped"] = "time budget spent"
                    break
                cpu_passed, cpu_arrays, seconds = run(assignment_table, unit, source, "cpu")
                row["seconds"] += seconds
                row["answers"] += 1
                if all(cpu_passed.values()) == (expected == "correct"):
                    row["as_expected"] += 1
                else:
                    row["unexpected"].append(name)
                if not cuda:
                    row["matching"] += 1
                    continue
                gpu_passed, gpu_arrays, seconds = run(assignment_table, unit, source, "cuda")
                row["seconds"] += seconds
                if gpu_passed == cpu_passed:
                    row["matching"] += 1
                else:
                    row["mismatches"].append({"answer": name, "cuda": gpu_passed, "cpu": cpu_passed})
                worst, where = worst_difference(gpu_arrays, cpu_arrays)
                if worst > row["worst"]:
                    row["worst"], row["worst_at"] = worst, f"{name}: {where}"
            report.append(row)
            bad = row["mismatches"] or row["worst"] > 1.0 or row["unexpected"]
            status |= bool(bad)
            compared = (f"verdicts on cuda matching the cpu's {row['matching']}/{row['answers']}; largest "
                        f"cuda-cpu difference {row['worst']:.3g} x tolerance"
                        f"{' at ' + row['worst_at'] if row['worst_at'] else ''}" if cuda else "no cuda to compare")
            print(f"{assignment}/{unit.id}: device {'cuda+cpu' if cuda else 'cpu'}; cpu verdicts as the corpus "
                  f"expects {row['as_expected']}/{row['answers']}; {compared}; {row['seconds']:.1f} s"
                  f"{'; ' + row['stopped'] if 'stopped' in row else ''}"
                  f"{'  <-- differ: ' + json.dumps(row['mismatches'])[:300] if row['mismatches'] else ''}"
                  f"{'  <-- unexpected: ' + ', '.join(row['unexpected']) if row['unexpected'] else ''}", flush=True)
    print(f"total {time.perf_counter() - started:.1f} s; {'ALL MATCH' if not status else 'DIFFERENCES FOUND'}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(report, indent=1))
    return status


if __name__ == "__main__":
    sys.exit(main())
