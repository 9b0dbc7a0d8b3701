"""Rules are per unit (SPEC 3): what one contract forbids another may require. Checked through
the trusted path autograde uses (sandboxed probes, rules judged outside the student's code)."""
import pytest

from conftest import ROOT, grade
from grader_tests.framework.contract import rules, table
from grader_tests.framework.pipeline import submission_builder as sb
from toy_rules.units import TABLE as TOY

LSTM_WRAPPER = '''
class {name}(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.rnn = nn.LSTM(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])
'''
HAND_WRITTEN = '''
class {name}(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.x2h = nn.Linear(input_size, 4 * hidden_size)
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size)
        self.fc = nn.Linear(hidden_size, num_classes)
        self.hidden_size = hidden_size

    def forward(self, x):
        h = c = x.new_zeros(x.shape[0], self.hidden_size)
        for t in range(x.shape[1]):
            i, f, g, o = (self.x2h(x[:, t]) + self.h2h(h)).chunk(4, 1)
            c = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
        return self.fc(h)
'''
HIDDEN = "### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n"


def toy_outcomes(seq_answer, scratch_answer):
    answers = {"seq_lstm": seq_answer.format(name="SeqLSTM"),
               "scratch_lstm": scratch_answer.format(name="ScratchLSTM")}
    return grade(TOY, answers, {"test_seq_lstm_forward": HIDDEN, "test_scratch_lstm_forward": HIDDEN})


def test_nn_lstm_where_the_contract_allows_it_keeps_its_points():
    outcomes = toy_outcomes(LSTM_WRAPPER, HAND_WRITTEN)
    assert outcomes["test_seq_lstm_forward"].passed, outcomes["test_seq_lstm_forward"].message
    assert outcomes["test_scratch_lstm_forward"].passed, outcomes["test_scratch_lstm_forward"].message


def test_nn_lstm_where_the_contract_forbids_it_scores_zero_and_a_required_module_is_enforced():
    outcomes = toy_outcomes(HAND_WRITTEN, LSTM_WRAPPER)
    scratch = outcomes["test_scratch_lstm_forward"]
    assert not scratch.passed and "from scratch" in scratch.message and "nn.LSTM" in scratch.message
    seq = outcomes["test_seq_lstm_forward"]
    assert not seq.passed and "must use nn.LSTM" in seq.message


def test_fused_kernel_reached_without_naming_it_is_seen_at_run_time():
    hidden_call = LSTM_WRAPPER.replace("out, _ = self.rnn(x)",
                                       "out, _ = getattr(self, 'r' + 'nn').forward(x)")
    assert rules.FROM_SCRATCH.static_violation(hidden_call.format(name="X")) is not None  # nn.LSTM named
    obfuscated = hidden_call.replace("nn.LSTM(", "getattr(nn, 'LS' + 'TM')(")
    assert rules.FROM_SCRATCH.static_violation(obfuscated.format(name="X")) is None
    outcome = toy_outcomes(HAND_WRITTEN, obfuscated)["test_scratch_lstm_forward"]
    assert not outcome.passed and "from scratch" in outcome.message


SPARSE = table.load("sparse_autoencoder")
SOLUTION = sb.solutions(ROOT / "source" / "sparse_autoencoder" / "sparse_autoencoder.ipynb")


@pytest.mark.parametrize("how", [
    "import torch\n",
    "_lib = __import__('tor' + 'ch')\n",
])
def test_numpy_unit_that_imports_torch_loses_its_points(how):
    answer = how + SOLUTION["preprocess"]
    tests = {"test_preprocess_values": "### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n",
             "test_preprocess": "assert preprocess is not None\n",
             "test_init_weights_range": "### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n"}
    outcomes = grade(SPARSE, {"preprocess": answer, "init_weights": SOLUTION["init_weights"]}, tests)
    for test_id in ("test_preprocess_values", "test_preprocess"):
        assert not outcomes[test_id].passed
        assert "numpy only" in outcomes[test_id].message and "torch" in outcomes[test_id].message
    assert outcomes["test_init_weights_range"].passed, "another unit must not be charged"


def test_numpy_unit_without_torch_keeps_its_points():
    tests = {"test_preprocess_values": "### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n"}
    outcomes = grade(SPARSE, {"preprocess": SOLUTION["preprocess"]}, tests)
    assert outcomes["test_preprocess_values"].passed, outcomes["test_preprocess_values"].message


def test_static_rules_see_the_common_spellings():
    assert rules.NUMPY_ONLY.static_violation("from torch import tensor\n")
    assert rules.NUMPY_ONLY.static_violation("import jax.numpy as jnp\n")
    assert rules.NUMPY_ONLY.static_violation("import numpy as np\nx = np.zeros(3)\n") is None
    assert rules.FROM_SCRATCH.static_violation("y = torch._VF.lstm_cell(x, h, w1, w2)\n")
    assert rules.FROM_SCRATCH.static_violation("cell = nn.GRUCell(3, 4)\n")
    assert rules.FROM_SCRATCH.static_violation("z = torch.sigmoid(x @ w)\n") is None


MODE_OFF = '''
class {name}(nn.Module):
    """Takes the grader's function mode off the stack, calls torch's fused LSTM cell through names
    built at run time, and puts the mode back: invisible to the static check and to the mode."""
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.x2h = nn.Linear(input_size, 4 * hidden_size)
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size)
        self.fc = nn.Linear(hidden_size, num_classes)
        self.hidden_size = hidden_size

    def forward(self, x):
        t = __import__("tor" + "ch")
        c_api = getattr(t, "_" + "C")
        pop, push = (getattr(c_api, "_pop_torch" + "_function_stack"),
                     getattr(c_api, "_push_on_torch" + "_function_stack"))
        cell = getattr(t, "lstm" + "_cell")
        modes = []
        while getattr(c_api, "_len_torch" + "_function_stack")():
            modes.append(pop())
        h = c = x.new_zeros(x.shape[0], self.hidden_size)
        try:
            for step in range(x.shape[1]):
                h, c = cell(x[:, step], (h, c), self.x2h.weight, self.h2h.weight, self.x2h.bias, self.h2h.bias)
        finally:
            for mode in reversed(modes):
                push(mode)
        return self.fc(h)
'''
UNBLOCK = '''
class {name}(nn.Module):
    """Finds the grader's torch.library block and destroys it before using nn.LSTM's kernel."""
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.cell = getattr(nn, "LS" + "TMCell")(input_size, hidden_size)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        collector = __import__("g" + "c")
        library = getattr(__import__("tor" + "ch"), "lib" + "rary")
        for obj in getattr(collector, "get_" + "objects")():
            if isinstance(obj, getattr(library, "Lib" + "rary")):
                getattr(obj, "_des" + "troy")()
        h = None
        for step in range(x.shape[1]):
            h = self.cell(x[:, step], h)
        return self.fc(h[0])
'''


@pytest.mark.parametrize("attack, expected", [(MODE_OFF, "uses torch.lstm_cell"),
                                              (UNBLOCK, "switched off the grader's block")])
def test_from_scratch_check_survives_code_that_switches_the_detector_off(attack, expected):
    """Issue 12: the recurrent kernels are blocked at torch's dispatcher, below the function mode a
    student can take off the stack; destroying the block is itself detected."""
    assert rules.FROM_SCRATCH.static_violation(attack.format(name="X")) is None   # nothing named
    outcome = toy_outcomes(HAND_WRITTEN, attack)["test_scratch_lstm_forward"]
    assert not outcome.passed and expected in outcome.message, outcome.message
