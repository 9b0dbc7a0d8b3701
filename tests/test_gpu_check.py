"""tools/gpu_check.py, on the CPU here (its CUDA half runs on a lent GPU machine): it runs, every
torch unit's reference, solution and corpus give the verdicts the corpus expects, and the
reference module is used as an answer only where it is one."""
import importlib
import json
import subprocess
import sys

from conftest import ROOT
from grader_tests.framework.contract import table

sys.path.insert(0, str(ROOT / "tools"))
import gpu_check  # noqa: E402


def test_gpu_check_on_the_cpu(tmp_path):
    out = tmp_path / "gpu_check.json"
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "gpu_check.py"), "--assignments", "convnets",
                           "sequence_models", "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = json.loads(out.read_text())
    assert {r["unit"] for r in rows} >= {"convnet_module", "convnet_sequential", "vanilla_rnn", "seq_lstm"}
    for row in rows:
        assert row["answers"] > 1 and row["as_expected"] == row["answers"] and not row["unexpected"], row
    assert "CUDA: not available (CPU pass only)" in proc.stdout or "CUDA: NVIDIA" in proc.stdout


def test_the_reference_module_is_an_answer_only_where_it_is_one():
    decide = {}
    for assignment in ("convnets", "sequence_models"):
        assignment_table = table.load(assignment)
        reference = importlib.import_module(f"reference.{assignment}")
        for unit in gpu_check.device_units(assignment_table):
            decide[unit.id] = gpu_check.reference_is_the_answer(reference, assignment_table, unit)
    assert decide["convnet_module"] is False        # ThreeLayerConvNet is the numpy one there
    assert decide["vanilla_rnn"] is False           # the module uses nn.RNN for other units: a from-scratch unit's rule
    assert decide["convnet_sequential"] is True and decide["seq_lstm"] is True
