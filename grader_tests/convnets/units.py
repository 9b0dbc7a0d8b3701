"""The unit table of `convnets` (SPEC 4.3): one row per graded unit, over two notebooks.

Cases and probes: `probe.py`; comparison with `reference/convnets.py` and the known wrong
variants: `judge.py`; the challenge's held-out images and scoring: `challenge.py` (trusted side
only); corpus: `corpus/<unit>/`.
"""
from grader_tests.framework.contract.rules import NUMPY_ONLY
from grader_tests.framework.contract.table import FUNCTION, MANUAL, NUMPY_FUNCTION, TORCH_MODULE, Assignment, Test, Unit

NUMPY_NB, TORCH_NB = "convnets_numpy.ipynb", "convnets_pytorch.ipynb"


def _pair(label, forward_points, backward_points, extra=()):
    return (Test("forward", forward_points, f"{label} forward values against the reference on several "
                                            "shapes (N = 1, C = 1, odd sizes, strides and paddings)."),
            *extra,
            Test("backward", backward_points, f"{label} gradients against the reference and against "
                                              "finite differences of your own forward pass."))


TABLE = Assignment(
    "convnets", notebooks=(NUMPY_NB, TORCH_NB),
    ships=("cifar10.py", "handouts/cnn_helpers.py", "handouts/selfcheck.py"),
    units=(
        Unit("conv_naive", NUMPY_FUNCTION, defines=("conv_forward_naive", "conv_backward_naive"),
             rules=(NUMPY_ONLY,), tests=_pair("conv_forward_naive / conv_backward_naive", 3, 3)),
        Unit("max_pool_naive", NUMPY_FUNCTION, defines=("max_pool_forward_naive", "max_pool_backward_naive"),
             rules=(NUMPY_ONLY,), tests=_pair("max_pool_forward_naive / max_pool_backward_naive", 2, 2)),
        Unit("three_layer_convnet_numpy", NUMPY_FUNCTION, defines=("ThreeLayerConvNet",),
             builds_on=("conv_naive", "max_pool_naive"), rules=(NUMPY_ONLY,), tests=(
                 Test("structure", 1, "parameter names, shapes, dtype and initialisation."),
                 Test("forward", 2, "scores and loss (with and without regularisation) against the "
                                    "reference, with the grader's parameters."),
                 Test("backward", 3, "every gradient against the reference and against finite "
                                     "differences of your own loss."))),
        Unit("spatial_batchnorm", NUMPY_FUNCTION,
             defines=("spatial_batchnorm_forward", "spatial_batchnorm_backward"), rules=(NUMPY_ONLY,),
             tests=_pair("spatial batch normalisation (train and test mode)", 2, 3, extra=(
                 Test("running", 1, "the running mean and variance written back into bn_param, "
                                    "over several train-mode calls, then used in test mode."),))),
        Unit("spatial_groupnorm", NUMPY_FUNCTION,
             defines=("spatial_groupnorm_forward", "spatial_groupnorm_backward"), rules=(NUMPY_ONLY,),
             tests=_pair("spatial group normalisation (G = 1, G = C and in between)", 2, 3)),
        Unit("three_layer_convnet_fn", FUNCTION, defines=("three_layer_convnet",), notebook=TORCH_NB, tests=(
            Test("forward", 2, "scores against the reference on several shapes (N = 1, odd sizes), "
                               "float32 and float64, CPU and GPU."),
            Test("backward", 1, "autograd gradients of the input and every parameter."))),
        Unit("init_convnet_params", FUNCTION, defines=("init_convnet_params",), notebook=TORCH_NB, tests=(
            Test("structure", 2, "six tensors: shapes, requires_grad, zero biases, Kaiming-normal "
                                 "weights."),)),
        Unit("convnet_module", TORCH_MODULE, defines=("ThreeLayerConvNet",), notebook=TORCH_NB, tests=(
            Test("forward", 2, "scores against the reference with your parameters (float32 and "
                               "float64, N = 1, CPU and GPU)."),
            Test("backward", 1, "autograd gradients of the input and every parameter."),
            Test("structure", 1, "submodules conv1, conv2, fc: shapes and initialisation."))),
        Unit("convnet_sequential", FUNCTION, defines=("build_sequential_convnet",), notebook=TORCH_NB, tests=(
            Test("forward", 2, "scores against the reference with your parameters (in order)."),
            Test("backward", 1, "autograd gradients of the input and every parameter."),
            Test("structure", 1, "an nn.Sequential with the contract's layers and initialisation."))),
        Unit("challenge", FUNCTION, defines=("build_best_model",), notebook=TORCH_NB,
             submitted_files=("best_model.pt",), tests=(
                 Test("accuracy", 6, "your model with your best_model.pt on held-out images you never "
                                     "had; points scale with the accuracy."),)),
        Unit("challenge_description", MANUAL, points=3, notebook=TORCH_NB),
    ))
