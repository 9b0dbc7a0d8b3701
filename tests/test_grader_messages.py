"""What a failing hidden test tells the student: the likely bug, for which input, and nothing of
the grader. Seed bugs and common bugs of every assignment, with the hint each must name.
(Every corpus file's verdict is checked in test_grader.py and through nbgrader in test_pipeline.py.)"""
import contextlib
import inspect
import io

import pytest

from conftest import assert_student_facing, solutions, verdicts
from grader_tests.framework.judging import checks
from grader_tests.framework.pipeline import submission_builder as sb
from reference import recurrent_cells as ref_rc


def corpus(assignment, unit, name):
    return (sb.corpus_dir(assignment, unit) / f"{name}.py").read_text()


def failure(assignment, unit, aspect, source):
    with contextlib.redirect_stdout(io.StringIO()):
        verdict, _ = checks.outcome(assignment, unit, aspect, source)
    assert not verdict.passed, f"{unit} passed {aspect}"
    assert_student_facing(verdict.message)
    return verdict.message


@pytest.mark.parametrize("assignment, unit, aspect, name, expected", [
    ("recurrent_cells", "gru_cell", "forward", "wrong_blend_uses_h_n", "must use the previous state h"),
    ("recurrent_cells", "gru_cell", "forward", "wrong_reset_on_h", "applies it to h2h's new-gate chunk"),
    ("recurrent_cells", "gru_cell", "forward", "wrong_z_swapped", "z and 1 - z are swapped"),
    ("recurrent_cells", "gru_cell", "forward", "wrong_chunk_order_zr", "reset, update, new"),
    ("recurrent_cells", "lstm_cell", "forward", "wrong_gate_order_if", "input, forget, cell candidate, output"),
    ("recurrent_cells", "lstm_cell", "forward", "wrong_squeeze_batch1", "batch size 1"),
    ("recurrent_cells", "lstm_cell", "forward", "wrong_returns_c_h", "return (h_next, c_next)"),
    ("recurrent_cells", "lstm_cell", "forward", "wrong_cpu_zeros", "input's device"),
    ("recurrent_cells", "lstm_cell", "forward", "wrong_float32_zeros", "dtype"),
    ("recurrent_cells", "lstm_cell", "structure", "wrong_default_init", "1/sqrt(hidden_size)"),
    ("recurrent_cells", "rnn_model", "forward", "wrong_squeeze_output", "batch size 1"),
    ("recurrent_cells", "rnn_model", "forward", "wrong_state_kept_across_calls", "start from zero states"),
    ("recurrent_cells", "rnn_model", "structure", "wrong_no_valueerror", "ValueError"),
    ("recurrent_cells", "bidir_model", "forward", "wrong_reuses_forward_cells", "uses the forward cells"),
    ("recurrent_cells", "bidir_model", "forward", "wrong_concat_order_bwd_fwd", "wrong order"),
    ("sparse_autoencoder", "preprocess", "input", "wrong_inplace_mean_subtraction", "modified its input in place"),
    ("sparse_autoencoder", "preprocess", "values", "wrong_luma_seed_typo", "luminosity weights"),
    ("sparse_autoencoder", "preprocess", "values", "wrong_std_ddof1", "ddof = 0"),
    ("sparse_autoencoder", "preprocess", "values", "wrong_clip_2sigma", "+-3 sigma"),
    ("sparse_autoencoder", "preprocess", "values", "wrong_minmax_mapping", "not the data's own minimum and maximum"),
    ("sparse_autoencoder", "init_weights", "rng", "wrong_fixed_global_seed", "global random state"),
    ("sparse_autoencoder", "init_weights", "rng", "wrong_own_generator", "different seeds"),
    ("sparse_autoencoder", "init_weights", "range", "wrong_bias_row_shape", "expected (64,)"),
    ("sparse_autoencoder", "ae_cost", "value", "wrong_kl_subtracted", "KL term has the wrong sign"),
    ("sparse_autoencoder", "ae_cost", "gradients", "wrong_hidden_delta_W1", "Check the hidden delta uses W2^T"),
    ("sparse_autoencoder", "ae_cost", "consistency", "wrong_hidden_delta_W1", "while J is right"),
    ("sparse_autoencoder", "ae_cost", "gradients", "wrong_sigmoid_deriv_on_activation", "sigmoid derivative is applied to activations"),
    ("sparse_autoencoder", "ae_cost", "gradients", "wrong_sigmoid_deriv_preactivation", "pre-activation"),
    ("sparse_autoencoder", "ae_cost", "value", "wrong_missing_1_over_N", "J is off by a factor close to N in the reconstruction term: check the 1/(2N) average"),
    ("sparse_autoencoder", "ae_cost", "value", "wrong_biases_regularised", "biases are not regularised"),
    ("sparse_autoencoder", "ae_cost", "value", "wrong_rho_hat_over_units", "over the batch (axis 0)"),
    ("sparse_autoencoder", "ae_cost", "gradients", "wrong_kl_gradient_missing", "sparsity term's gradient is missing"),
    ("sparse_autoencoder", "ae_cost", "gradients", "wrong_bias_grad_keepdims", "expected (4,)"),
    ("sparse_autoencoder", "train_autoencoder", "rng", "wrong_np_random_permutation", "not np.random"),
    ("sparse_autoencoder", "train_autoencoder", "rng", "wrong_fixed_seed_inside", "does not depend on rng"),
    ("sparse_autoencoder", "train_autoencoder", "rng", "wrong_shuffle_once", "same order"),
    ("sparse_autoencoder", "train_autoencoder", "rng", "wrong_drops_last_batch", "last, smaller batch is skipped"),
    ("sparse_autoencoder", "train_autoencoder", "updates", "wrong_history_before_updates", "recorded before each epoch's updates"),
    ("sparse_autoencoder", "train_autoencoder", "updates", "wrong_gradient_ascent", "move up the gradient"),
    ("sparse_autoencoder", "train_autoencoder", "rng", "wrong_init_own_rng", "Pass the rng"),
    ("bptt_from_scratch", "rnn_bptt", "backward", "wrong_truncated_skips_t0", "range(T), not range(1, T)"),
    ("bptt_from_scratch", "lstm_bptt", "backward", "wrong_sigmoid_deriv_on_activation", "s * (1 - s)"),
    ("bptt_from_scratch", "lstm_bptt", "backward", "wrong_clip_inside_backward", "clipped inside backward"),
    ("bptt_from_scratch", "gru_bptt", "forward", "wrong_blend_reversed", "blend is reversed"),
    ("bptt_from_scratch", "momentum_step", "values", "wrong_norm_clipping", "not the gradient's norm"),
    ("bptt_from_scratch", "momentum_step", "pure", "wrong_mutates_params_inplace", "in place"),
    ("bptt_from_scratch", "confusion_matrix", "values", "wrong_transposed", "transposed"),
    ("bptt_from_scratch", "confusion_matrix", "values", "wrong_shape_from_labels", "num_classes x num_classes"),
    ("bptt_from_scratch", "train_recurrent", "updates", "wrong_labels_not_shuffled", "same shuffled indices"),
    ("bptt_from_scratch", "train_recurrent", "stopping", "wrong_returns_last_params", "lowest validation loss"),
    ("bptt_from_scratch", "train_recurrent", "rng", "wrong_np_random_permutation", "not np.random"),
    ("bptt_from_scratch", "train_recurrent", "rng", "wrong_same_shuffle_every_epoch", "fresh permutation"),
    ("sequence_models", "vanilla_rnn", "forward", "wrong_softmax_output", "no softmax at the end"),
    ("sequence_models", "vanilla_rnn", "forward", "wrong_h0_cpu", "on x's device"),
    ("sequence_models", "vanilla_rnn", "forward", "wrong_state_kept_between_calls", "depends on its earlier calls"),
    ("sequence_models", "palindrome_lstm", "forward", "wrong_input_forget_swapped", "input gate i on the candidate g"),
    ("sequence_models", "palindrome_lstm", "forward", "wrong_cell_state_kept_between_calls", "depends on its earlier calls"),
    ("sequence_models", "lstm_param_count", "values", "wrong_three_gates", "four gate blocks"),
    ("sequence_models", "batch_error", "values", "wrong_returns_accuracy", "You return the accuracy"),
    ("sequence_models", "train_loop", "replay", "wrong_no_zero_grad", "zero_grad() before each backward"),
    ("sequence_models", "train_loop", "mode", "wrong_no_train_mode", "model.train()"),
    ("sequence_models", "make_optimizers", "values", "wrong_lstm_over_rnn_params", "over its own model"),
    ("sequence_models", "seq_rnn", "forward", "wrong_default_hidden_size", "the contract's default is hidden_size=150"),
    ("sequence_models", "seq_gru", "forward", "wrong_default_num_classes", "the contract's default is num_classes=10"),
    ("sequence_models", "seq_lstm", "forward", "wrong_defaults_dropped", "the contract's default is hidden_size=150"),
    ("sequence_models", "seq_gru", "forward", "wrong_hidden_kept_between_calls", "depends on its earlier calls"),
    ("sequence_models", "seq_lstm", "forward", "wrong_squeeze_h_n", "batch size 1"),
    ("sequence_models", "seq_gru", "hidden", "wrong_hidden_cpu", "on the module's device"),
    ("sequence_models", "seq_lstm", "hidden", "wrong_hidden_only_h0", "tuple (h0, c0)"),
    ("sequence_models", "xor_network", "recurrent", "wrong_or_output", "OR and not AND"),
    ("sequence_models", "activation_ratio", "values", "wrong_ratio_inverted", "sigmoid derivative over the tanh derivative"),
    ("convnets", "conv_naive", "forward", "wrong_kernel_flipped", "You flipped the kernel"),
    ("convnets", "conv_naive", "backward", "wrong_db_mean", "not the mean"),
    ("convnets", "conv_naive", "forward", "wrong_stride_ignored_in_window", "(i * stride, j * stride)"),
    ("convnets", "max_pool_naive", "backward", "wrong_grad_to_whole_window", "window's maximum only"),
    ("convnets", "max_pool_naive", "backward", "wrong_assign_overlapping", "accumulate with +="),
    ("convnets", "spatial_batchnorm", "running", "wrong_momentum_reversed", "momentum is reversed"),
    ("convnets", "spatial_batchnorm", "running", "wrong_running_not_written_back", "back into bn_param"),
    ("convnets", "spatial_groupnorm", "forward", "wrong_interleaved_groups", "not every G-th channel"),
    ("convnets", "three_layer_convnet_numpy", "backward", "wrong_reg_missing_in_grads", "reg * W1 is missing"),
    ("convnets", "three_layer_convnet_fn", "forward", "wrong_softmax_scores", "no softmax"),
    ("convnets", "three_layer_convnet_fn", "forward", "wrong_manual_pad_cpu", "fixed device"),
    ("convnets", "init_convnet_params", "structure", "wrong_uniform_same_std", "looks uniformly distributed"),
    ("convnets", "convnet_module", "structure", "wrong_submodule_names", "self.conv1, self.conv2 and self.fc"),
    ("convnets", "convnet_sequential", "forward", "wrong_flatten_buffer_accumulates", "depends on its earlier calls"),
])
def test_seed_and_common_bugs_are_named(assignment, unit, aspect, name, expected):
    message = failure(assignment, unit, aspect, corpus(assignment, unit, name))
    assert expected in message, message


@pytest.mark.parametrize("name", ["wrong_uninit_tensor_state", "wrong_uninit_empty_state"])
def test_uninitialised_state_is_exposed(name):
    message = failure("recurrent_cells", "rnn_model", "forward", corpus("recurrent_cells", "rnn_model", name))
    assert "NaN" in message or "dtype" in message or "device" in message


@pytest.mark.parametrize("unit, name", [("lstm_cell", "wrong_from_scratch_nn_lstmcell"),
                                        ("gru_cell", "wrong_from_scratch_getattr_gru_cell"),
                                        ("rnn_model", "wrong_from_scratch_fused_cells")])
def test_from_scratch_rule_scores_zero_on_every_aspect(unit, name):
    for aspect, message in verdicts("recurrent_cells", unit, corpus("recurrent_cells", unit, name)).items():
        assert message and "from scratch" in message, (aspect, message)


def test_dependent_unit_bound_to_reference_cells():
    """rnn_model is graded with the reference LSTMCell even if it refers to it at class level."""
    from grader_tests.framework.contract import table
    from grader_tests.framework.judging import namespace
    assert inspect.getsource(ref_rc.LSTMCell) in namespace.given_for(table.load("recurrent_cells"), "rnn_model")
    source = "CellAlias = LSTMCell\n" + solutions("recurrent_cells")["rnn_model"]
    assert verdicts("recurrent_cells", "rnn_model", source) == {
        "forward": None, "backward": None, "structure": None}


def test_train_graded_with_reference_cost():
    """A broken ae_cost elsewhere in the notebook does not touch train_autoencoder's grade: its
    namespace has the reference init_weights and ae_cost (and aliases to them still record)."""
    source = solutions("sparse_autoencoder")["train_autoencoder"]
    aliased = "cost = ae_cost\n" + source.replace("ae_cost(We, batch", "cost(We, batch")
    assert verdicts("sparse_autoencoder", "train_autoencoder", aliased) == {"updates": None, "rng": None}
