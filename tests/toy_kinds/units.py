"""A throwaway unit table for the generic kinds: an affine forward/backward pair, a ReLU
function and a small torch module, each only a table row, its cases (probe.py) and its variants (judge.py)."""
from grader_tests.framework.contract.rules import NUMPY_ONLY
from grader_tests.framework.contract.table import NUMPY_FUNCTION, TORCH_MODULE, Assignment, Test, Unit

TABLE = Assignment("toy_kinds", package="toy_kinds", units=(
    Unit("affine", NUMPY_FUNCTION, defines=("affine_forward", "affine_backward"), rules=(NUMPY_ONLY,),
         tests=(Test("forward", 1), Test("backward", 2))),
    Unit("relu", NUMPY_FUNCTION, defines=("relu",), rules=(NUMPY_ONLY,), tests=(Test("values", 1),)),
    Unit("sigmoid", NUMPY_FUNCTION, defines=("sigmoid_forward", "sigmoid_backward"), rules=(NUMPY_ONLY,),
         tests=(Test("forward", 1), Test("backward", 1))),
    Unit("gated_layer", TORCH_MODULE, defines=("GatedLayer",), tests=(Test("forward", 1), Test("backward", 1))),
))
