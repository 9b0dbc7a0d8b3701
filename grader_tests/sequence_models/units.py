"""The unit table of `sequence_models` (SPEC 4.5): one row per graded unit, over two notebooks.

Rules differ per unit: `vanilla_rnn` and `palindrome_lstm` are written from scratch (no torch
recurrent module or kernel), while `seq_rnn`, `seq_gru` and `seq_lstm` must use nn.RNN, nn.GRU
and nn.LSTM. Cases and probes: `probe.py`; comparison with `reference/sequence_models.py` and
the known wrong variants: `judge.py`; corpus: `corpus/<unit>/`.
"""
from grader_tests.framework.contract.rules import FROM_SCRATCH, Requires
from grader_tests.framework.contract.table import FUNCTION, MANUAL, TORCH_MODULE, VALUE, Assignment, Test, Unit

MODELS_NB, EXERCISES_NB = "sequence_models.ipynb", "sequence_exercises.ipynb"


def _module_tests(forward_points, backward_points):
    return (Test("forward", forward_points, "logits against the reference with your parameters (copied by "
                                            "name), for (B, T) and (B, T, D) inputs, B = 1, T = 1, "
                                            "float32 and float64, on every grading device."),
            Test("backward", backward_points, "autograd gradients of every parameter and of the input."),
            Test("structure", 1, "parameter names and shapes, uniform +-1/sqrt(rows) weights, zero biases."))


def _sequence_tests():
    return (Test("forward", 1, "logits from the last step against the reference with your parameters, "
                               "B = 1 included, float32 and float64, on every grading device."),
            Test("hidden", 1, "init_hidden: zeros of shape (1, B, H) on the module's device and dtype."))


TABLE = Assignment(
    "sequence_models", notebooks=(MODELS_NB, EXERCISES_NB),
    ships=("mnist_sequences.py", "handouts/sequence_helpers.py", "handouts/selfcheck.py"),
    units=(
        Unit("vanilla_rnn", TORCH_MODULE, defines=("VanillaRNN",), rules=(FROM_SCRATCH,),
             tests=_module_tests(2, 1)),
        Unit("palindrome_lstm", TORCH_MODULE, defines=("LSTM",), rules=(FROM_SCRATCH,),
             tests=_module_tests(2, 2)),
        Unit("lstm_param_count", FUNCTION, defines=("lstm_num_params",), tests=(
            Test("values", 1, "the count on many sizes, against the LSTM's own parameters."),)),
        Unit("batch_error", FUNCTION, defines=("batch_error",), tests=(
            Test("values", 1, "the misclassified fraction on several batches (ties, B = 1), as a float."),)),
        Unit("train_loop", FUNCTION, defines=("train",), tests=(
            Test("replay", 2, "the parameters and per-epoch losses against a reference loop (Adam over the "
                              "model's own parameters) on a tiny deterministic model."),
            Test("mode", 1, "model.train() is set, the batches follow the model's device."))),
        Unit("make_optimizers", FUNCTION, defines=("make_optimizers",), tests=(
            Test("values", 1, "two SGD optimizers, each over its own model's parameters, with lr."),)),
        Unit("palindrome_comparison", MANUAL, points=3),
        Unit("seq_rnn", TORCH_MODULE, defines=("myRNN",), rules=(Requires("RNN"),), tests=_sequence_tests()),
        Unit("seq_gru", TORCH_MODULE, defines=("myGatedRNN",), rules=(Requires("GRU"),), tests=_sequence_tests()),
        Unit("seq_lstm", TORCH_MODULE, defines=("myLSTM",), rules=(Requires("LSTM"),), tests=_sequence_tests()),
        Unit("sequence_type", MANUAL, points=2),
        Unit("xor_network", VALUE, defines=("XOR_WEIGHTS", "S1"), notebook=EXERCISES_NB, tests=(
            Test("recurrent", 3, "the network run recurrently (s[t] = y[t-1]) on every binary sequence up "
                                 "to length 10 outputs the running XOR."),)),
        Unit("xor_discussion", MANUAL, points=2, notebook=EXERCISES_NB),
        Unit("activation_ratio", FUNCTION,
             defines=("sigmoid_grad_approx", "tanh_grad_approx", "rho_approx", "rho", "INTERVAL"),
             notebook=EXERCISES_NB, tests=(
                 Test("values", 2, "the four functions on arrays of eps (vectorised), against their closed forms."),
                 Test("interval", 1, "INTERVAL against the interval where the approximate sigmoid derivative "
                                     "is at most the approximate tanh derivative."))),
        Unit("ratio_discussion", MANUAL, points=2, notebook=EXERCISES_NB),
    ))
