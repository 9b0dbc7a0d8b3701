"""The unit table of `sparse_autoencoder` (SPEC 4.2): one row per graded unit.

Cases and probes: `probe.py`; comparison with `reference/sparse_autoencoder.py` and the known
wrong variants: `judge.py`; corpus: `corpus/<unit>/`.
"""
from grader_tests.framework.contract.rules import NUMPY_ONLY
from grader_tests.framework.contract.table import MANUAL, NUMPY_FUNCTION, Assignment, Test, Unit

VISIBLE = Test(None, 1, hidden=False)

TABLE = Assignment("sparse_autoencoder", ships=("natural_patches.py", "handouts/selfcheck.py"), units=(
    Unit("preprocess", NUMPY_FUNCTION, defines=("preprocess",), rules=(NUMPY_ONLY,), tests=(
        VISIBLE,
        Test("values", 2, "the output against the reference on several batches (N = 1, a "
                          "constant image, clipping active)."),
        Test("input", 1, "the input is not modified and the result is deterministic."))),
    Unit("init_weights", NUMPY_FUNCTION, defines=("init_weights",), rules=(NUMPY_ONLY,), tests=(
        VISIBLE,
        Test("range", 1, "shapes, dtype and the uniform range of every array on several sizes."),
        Test("rng", 1, "every value drawn from the rng argument; numpy's global state untouched."))),
    Unit("ae_cost", NUMPY_FUNCTION, defines=("ae_cost",), rules=(NUMPY_ONLY,), tests=(
        VISIBLE,
        Test("value", 2, "J against the reference on several sizes and hyperparameters."),
        Test("gradients", 3, "every gradient against the reference."),
        Test("consistency", 2, "your gradients against finite differences of your own J."))),
    Unit("train_autoencoder", NUMPY_FUNCTION, defines=("train_autoencoder",),
         builds_on=("init_weights", "ae_cost"), rules=(NUMPY_ONLY,), tests=(
        VISIBLE,
        Test("updates", 2, "the updates and loss history replayed on the reference cost."),
        Test("rng", 2, "shuffles and initialisation drawn from rng, every epoch a fresh permutation."))),
    Unit("features_discussion", MANUAL, points=4),
))
