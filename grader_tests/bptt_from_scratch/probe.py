"""The probe half of the `bptt_from_scratch` checks: runs student code, returns plain data.

Copied into the grading sandbox (grader_tests/framework/pipeline/grading.py): it must not import
`reference` or hold anything that gives an answer away. Every unit is a `BpttProbe` registered
in `PROBES`: its cases per aspect and the function that runs the student's code on one case,
recording numpy arrays plus a small JSON-able `info` dict; the judge (judge.py) recomputes
everything with the reference.

- the three forward/backward pairs (`rnn_bptt`, `lstm_bptt`, `gru_bptt`) share `probe_pair`,
  told apart only by their model's parameters (`MODELS`);
- `momentum_step` and `confusion_matrix` are called on their cases and their inputs checked for
  in-place edits;
- `train_recurrent` receives its model as arguments: the probe hands it the reference RNN (put in
  the namespace as `_grader_model` by the judge's given code) or a *scripted* model whose
  validation loss follows a fixed table whatever the split and shuffles, both wrapped so that
  every forward, backward and `momentum_step` call is recorded.
"""
import dataclasses
import warnings

import numpy as np

from grader_tests.framework.contract.numerics import numerical_gradient
from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.sandboxed.kinds import UnitProbe, float_array, probes_for
from grader_tests.bptt_from_scratch.units import TABLE


# ---------------------------------------------------------------------------------------------
# The models' parameters (the contract's names and shapes)
# ---------------------------------------------------------------------------------------------

def _rnn_shapes(D, H):
    return {"Wx": (D, H), "Wh": (H, H), "b": (H,)}


def _lstm_shapes(D, H):
    return {**{f"W{g}": (D + H, H) for g in "fico"}, **{f"b{g}": (H,) for g in "fico"}}


def _gru_shapes(D, H):
    return {**{f"W{g}": (D, H) for g in "zrn"}, **{f"U{g}": (H, H) for g in "zrn"},
            **{f"b{g}": (H,) for g in "zrn"}}


@dataclasses.dataclass(frozen=True)
class ModelParameters:
    """One model's parameters: `recurrent(D, H)` gives the recurrent layer's {key: shape} in the
    contract's order (the output layer Wy, by follows); `input_weights` are the weights that
    multiply x_t, `input_rows_first` says they act on the concatenation [x_t, h_{t-1}], so only
    their first D rows do (the large-input case scales exactly those down)."""
    recurrent: object
    input_weights: tuple
    input_rows_first: bool = False

    def shapes(self, D, H, K):
        shapes = self.recurrent(D, H)
        shapes.update(Wy=(H, K), by=(K,))
        return shapes

    def input_rows(self, key, D):
        """The rows of weight `key` that multiply x_t, or None when it does not."""
        if key not in self.input_weights:
            return None
        return slice(0, D) if self.input_rows_first else slice(None)


MODELS = {
    "rnn": ModelParameters(_rnn_shapes, ("Wx",)),
    "lstm": ModelParameters(_lstm_shapes, tuple(f"W{g}" for g in "fico"), input_rows_first=True),
    "gru": ModelParameters(_gru_shapes, ("Wz", "Wr", "Wn")),
}


def param_shapes(model, D, H, K):
    """{key: shape} of a model's parameters (the contract's names)."""
    return MODELS[model].shapes(D, H, K)


# ---------------------------------------------------------------------------------------------
# Forward/backward pairs
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class PairCase:
    seed: int
    N: int
    T: int
    D: int
    H: int
    K: int
    big: bool = False      # large inputs on small input weights: some true gradients exceed 10
    hint: Hint = None
    finite_differences: bool = False   # backward: also finite differences of the student's forward

    def describe(self):
        what = f"N={self.N}, T={self.T}, D={self.D}, H={self.H}, K={self.K}"
        return what + (" (large inputs)" if self.big else "")

    def inputs(self, model):
        """(X, params, Y) of this case for `model` ('rnn', 'lstm' or 'gru')."""
        parameters = MODELS[model]
        rng = np.random.default_rng(50_000 + self.seed)
        X = rng.standard_normal((self.N, self.T, self.D)) * (30.0 if self.big else 1.0)
        params = {}
        for key, shape in parameters.shapes(self.D, self.H, self.K).items():
            w = 0.5 * rng.standard_normal(shape)
            if self.big:
                rows = parameters.input_rows(key, self.D)
                if rows is not None:
                    w[rows] *= 0.04
                elif key == "Wy":
                    w *= 10.0
            params[key] = w
        Y = np.eye(self.K)[rng.integers(0, self.K, self.N)]
        return X, params, Y


BATCH_OF_ONE = Hint("bptt:batch_size_1", "It fails only for N = 1: keep the batch axis (no squeeze).")
ONE_STEP = Hint("bptt:seq_len_1", "It fails only for T = 1: the sequence may have a single step.")
SIZE_ONE = Hint("bptt:size_1", "It fails only for D = 1, H = 1: keep every axis.")

PAIR_CASES = [
    PairCase(1, 3, 5, 2, 4, 3),
    PairCase(2, 1, 4, 3, 3, 2, hint=BATCH_OF_ONE),
    PairCase(3, 4, 1, 2, 3, 3, hint=ONE_STEP),
    PairCase(4, 2, 6, 1, 1, 2, hint=SIZE_ONE),
    PairCase(5, 5, 7, 3, 5, 4),
    PairCase(6, 2, 6, 2, 4, 3, big=True),
]
FD_CASES = (0, 2)      # indices of the backward cases also checked by finite differences
BACKWARD_CASES = [dataclasses.replace(case, finite_differences=k in FD_CASES)
                  for k, case in enumerate(PAIR_CASES)]


def _call_forward(forward, X, params):
    result = forward(X, params)
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise TypeError("the forward pass must return a tuple (probs, cache)")
    return float_array(result[0]), result[1]


def _mean_cross_entropy(probs, Y):
    with np.errstate(all="ignore"):
        return float(-np.mean(np.log(np.sum(probs * Y, axis=1))))


def probe_pair(forward, backward, model, case, aspect):
    """One case of a model's pair: probs; for `backward` also every gradient, the inputs edited
    in place, and (for the cases that ask) finite differences of the student's own forward."""
    arrays, info = {}, {}
    X, params, Y = case.inputs(model)
    originals = (X.copy(), {k: v.copy() for k, v in params.items()}, Y.copy())
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            probs, cache = _call_forward(forward, X, params)     # the real arrays: an in-place edit shows
            arrays["probs"] = probs
            if aspect == "backward":
                grads = backward(Y, cache)
                if not isinstance(grads, dict):
                    info["grads_type"] = type(grads).__name__
                else:
                    info["grad_keys"] = sorted(str(k) for k in grads)
                    for key in params:
                        if key in grads:
                            arrays[f"grad:{key}"] = float_array(grads[key])
            info["modified"] = ((["X"] if not np.array_equal(X, originals[0]) else [])
                                + [k for k in params if not np.array_equal(params[k], originals[1][k])]
                                + (["Y"] if not np.array_equal(Y, originals[2]) else []))
            if aspect == "backward" and case.finite_differences:
                work = {k: v.copy() for k, v in originals[1].items()}

                def loss():   # fresh copies on every call: the student's code may edit them
                    probs, _ = _call_forward(forward, originals[0].copy(), {k: v.copy() for k, v in work.items()})
                    return _mean_cross_entropy(probs, originals[2])
                for key in work:
                    arrays[f"num:{key}"] = numerical_gradient(loss, work[key])
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    return arrays, info


def pair_runner(model):
    """How a model's unit runs one case: its forward and backward (the unit's two names)."""
    def run(probe, aspect, case):
        forward, backward = (probe.defined(name) for name in probe.unit.defines)
        return probe_pair(forward, backward, model, case, aspect)
    return run


# ---------------------------------------------------------------------------------------------
# momentum_step
# ---------------------------------------------------------------------------------------------

VELOCITY_NONE = Hint("momentum_step:velocity_none", "velocity may be None: start from zeros (one array "
                     "per key).")


@dataclasses.dataclass(frozen=True)
class MomentumCase:
    seed: int
    shapes: tuple            # ((key, shape), ...)
    lr: float
    momentum: float
    clip: float = None       # None: the default (not passed)
    velocity: bool = True    # False: velocity=None
    grad_scale: float = 1.0

    @property
    def hint(self):
        """Shown when the student's code raises on this case."""
        return None if self.velocity else VELOCITY_NONE

    def describe(self):
        shapes = ", ".join(f"{k} {tuple(s)}" for k, s in self.shapes)
        clip = "default clip" if self.clip is None else f"clip={self.clip:g}"
        velocity = "a velocity" if self.velocity else "velocity=None"
        return f"params {shapes}, lr={self.lr:g}, momentum={self.momentum:g}, {clip}, {velocity}"

    def inputs(self):
        rng = np.random.default_rng(60_000 + self.seed)
        params = {k: rng.standard_normal(s) for k, s in self.shapes}
        grads = {k: self.grad_scale * rng.standard_normal(s) for k, s in self.shapes}
        velocity = {k: 0.3 * rng.standard_normal(s) for k, s in self.shapes} if self.velocity else None
        return params, grads, velocity


MOMENTUM_CASES = [
    MomentumCase(1, (("W", (3, 4)), ("b", (4,))), 0.1, 0.9),
    MomentumCase(2, (("W", (2, 3)), ("b", (3,))), 0.5, 0.85, velocity=False),
    MomentumCase(3, (("W", (4, 2)), ("b", (2,))), 0.1, 0.9, grad_scale=25.0),
    MomentumCase(4, (("Wx", (3, 3)), ("Wh", (3, 3)), ("by", (2,))), 0.2, 0.5, clip=0.5),
    MomentumCase(5, (("W", (2, 2)),), 0.3, 0.0),
    MomentumCase(6, (("W", (5, 3)), ("b", (3,))), 0.05, 0.7, clip=2.0, velocity=False, grad_scale=4.0),
]
PURE_CASES = [MOMENTUM_CASES[0], MOMENTUM_CASES[1], MOMENTUM_CASES[3]]


def _dict_of_arrays(value, keys, prefix, arrays, info, what):
    if not isinstance(value, dict):
        info[f"{what}_type"] = type(value).__name__
        return
    info[f"{what}_keys"] = sorted(str(k) for k in value)
    for key in keys:
        if key in value:
            arrays[f"{prefix}{key}"] = float_array(value[key])


def probe_momentum(probe, aspect, case):
    """One momentum step: the new params and velocity, whether the returned dicts are the ones
    given, and which input arrays were edited in place."""
    fn = probe.obj
    arrays, info = {}, {}
    params, grads, velocity = case.inputs()
    keys = [k for k, _ in case.shapes]
    copies = ({k: v.copy() for k, v in params.items()}, {k: v.copy() for k, v in grads.items()},
              None if velocity is None else {k: v.copy() for k, v in velocity.items()})
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            args = (params, grads, velocity, case.lr, case.momentum)
            out = fn(*args) if case.clip is None else fn(*args, clip=case.clip)
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError("momentum_step must return a tuple (params, velocity)")
        new_params, new_velocity = out
        _dict_of_arrays(new_params, keys, "params:", arrays, info, "params")
        _dict_of_arrays(new_velocity, keys, "velocity:", arrays, info, "velocity")
        info["same_dict"] = [name for name, given, got in (("params", params, new_params),
                                                          ("velocity", velocity, new_velocity))
                             if given is not None and got is given]
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    info["modified"] = ([f"params['{k}']" for k in keys if not np.array_equal(params.get(k), copies[0][k])]
                        + [f"grads['{k}']" for k in keys if not np.array_equal(grads.get(k), copies[1][k])]
                        + ([f"velocity['{k}']" for k in keys if not np.array_equal(velocity.get(k), copies[2][k])]
                           if velocity is not None else []))
    return arrays, info


# ---------------------------------------------------------------------------------------------
# confusion_matrix
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class ConfusionCase:
    seed: int
    n: int
    K: int
    present: int = None       # labels drawn from 0..present-1 (None: 0..K-1): absent classes
    agree: float = 0.5        # fraction of predictions equal to the truth
    hint: Hint = None

    def describe(self):
        return f"{self.n} labels, num_classes={self.K}"

    def inputs(self):
        rng = np.random.default_rng(70_000 + self.seed)
        top = self.present or self.K
        y_true = rng.integers(0, top, self.n)
        y_pred = np.where(rng.random(self.n) < self.agree, y_true, rng.integers(0, top, self.n))
        if self.n > 3 and top == self.K:   # every class appears at least once as truth
            y_true[:top] = np.arange(top)
        return y_true, y_pred


ABSENT_CLASSES = Hint("confusion_matrix:absent_classes", "Some classes never occur in these labels: the "
                      "matrix is still num_classes x num_classes.")
SINGLE_LABEL = Hint("confusion_matrix:single_label", "It fails for a single label.")

CONFUSION_CASES = [
    ConfusionCase(1, 40, 4),
    ConfusionCase(2, 60, 6, agree=0.3),
    ConfusionCase(3, 25, 6, present=4, hint=ABSENT_CLASSES),
    ConfusionCase(4, 1, 3, hint=SINGLE_LABEL),
    ConfusionCase(5, 30, 2, agree=0.8),
]


def probe_confusion(probe, aspect, case):
    """The matrix for one label set, its dtype, and whether the labels were edited in place."""
    arrays, info = {}, {}
    y_true, y_pred = case.inputs()
    copies = (y_true.copy(), y_pred.copy())
    try:
        out = probe.obj(y_true, y_pred, case.K)
        arr = np.asarray(out)
        info["dtype"] = str(arr.dtype)
        info["integer"] = bool(np.issubdtype(arr.dtype, np.integer))
        arrays["out"] = float_array(arr)
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    info["modified"] = not (np.array_equal(y_true, copies[0]) and np.array_equal(y_pred, copies[1]))
    return arrays, info


# ---------------------------------------------------------------------------------------------
# train_recurrent
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class TrainCase:
    name: str
    N: int
    val_fraction: float
    batch_size: int
    max_epochs: int
    patience: int
    lr: float
    momentum: float
    seed: int
    scripted: tuple = ()     # a scripted model: the validation loss after each epoch (see below)
    T: int = 4
    D: int = 2
    H: int = 3
    K: int = 3
    rng_seed: int = None     # the seed of the rng passed in (None: 90_000 + seed)
    global_seed: int = 1     # numpy's global random state is seeded with it before the run

    def describe(self):
        return (f"N={self.N}, val_fraction={self.val_fraction:g}, batch_size={self.batch_size}, "
                f"max_epochs={self.max_epochs}, patience={self.patience}, lr={self.lr:g}, "
                f"momentum={self.momentum:g}")

    @property
    def n_val(self):
        return int(self.val_fraction * self.N)

    def generator(self):
        """The rng handed to train_recurrent."""
        return np.random.default_rng(90_000 + self.seed if self.rng_seed is None else self.rng_seed)

    def data(self):
        """(X, Y, params0) of the case; Y one-hot."""
        rng = np.random.default_rng(80_000 + self.seed)
        X = rng.standard_normal((self.N, self.T, self.D))
        if self.scripted:
            Y = np.zeros((self.N, 2))
            Y[:, 0] = 1.0
            return X, Y, {"w": np.zeros(1)}
        labels = rng.integers(0, self.K, self.N)
        X[np.arange(self.N), -1, 0] += 1.5 * (labels - 1)       # a learnable cue
        params = {}
        for key, shape in param_shapes("rnn", self.D, self.H, self.K).items():
            params[key] = 0.5 * rng.standard_normal(shape)
        return X, np.eye(self.K)[labels], params


UPDATE_CASES = [
    TrainCase("short_batch", 40, 0.1, 8, 4, 10, 0.3, 0.8, 1),
    TrainCase("one_batch", 30, 0.2, 50, 3, 10, 0.5, 0.5, 2),
    TrainCase("plain_sgd", 27, 1 / 3, 4, 3, 10, 0.2, 0.0, 3),
]
# The scripted model: one parameter w that every batch moves by exactly +1 (lr 1, no momentum,
# gradient -1), so after epoch e it holds e * batches_per_epoch whatever the split and shuffles;
# its validation loss is the table's e-th value (all labels are class 0).
STOP_CASES = [
    TrainCase("patience3", 24, 0.25, 6, 12, 3, 1.0, 0.0, 4,
              scripted=(1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.95, 0.5, 0.4, 0.3, 0.2, 0.1)),
    TrainCase("patience1", 20, 0.2, 4, 10, 1, 1.0, 0.0, 5,
              scripted=(0.9, 0.6, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.04)),
    TrainCase("no_stop", 20, 0.1, 9, 5, 2, 1.0, 0.0, 6, scripted=(0.9, 0.95, 0.7, 0.8, 0.6)),
]
RNG_CASE = TrainCase("rng", 40, 0.2, 6, 3, 10, 0.3, 0.8, 7)
# Three runs of one case: the first two share the rng seed under different global numpy states
# (they must agree), the third has another rng seed (its split must differ).
RNG_RUNS = [dataclasses.replace(RNG_CASE, rng_seed=seed, global_seed=global_seed)
            for seed, global_seed in ((11, 1), (11, 2), (12, 3))]


def scripted_probs(w, table, batches_per_epoch):
    """Probabilities of the scripted model: class 0 with the probability whose cross-entropy is
    the table's value for the epoch w has reached."""
    epoch = int(np.floor(float(np.asarray(w).reshape(-1)[0]) / batches_per_epoch + 1e-9))
    loss = table[min(max(epoch - 1, 0), len(table) - 1)] if epoch >= 1 else 2.0
    p = np.exp(-loss)
    return np.array([p, 1.0 - p])


class _Recorder:
    """The model and momentum_step handed to train_recurrent, recording every call."""

    def __init__(self, case, X, Y, model, momentum_step):
        self.case, self.X, self.labels, self.model, self.momentum_step = case, X, Y, model, momentum_step
        self.rows = {row.tobytes(): i for i, row in enumerate(X)}
        self.forward_rows, self.backward_rows, self.label_mismatch = [], [], 0
        self.steps = []                 # (velocity given: 'none', 'previous', 'other', lr, momentum, clip)
        self.last_velocity = None
        n_train = case.N - case.n_val
        self.batches_per_epoch = -(-n_train // case.batch_size)

    def row_indices(self, X):
        try:
            X = np.asarray(X, dtype=np.float64)
            return [self.rows.get(x.tobytes(), -1) for x in X.reshape(-1, *self.X.shape[1:])]
        except Exception:   # not rows of the data
            return [-1]

    def forward(self, X, params):
        self.forward_rows.append(self.row_indices(X))
        if self.case.scripted:
            probs = np.tile(scripted_probs(params["w"], self.case.scripted, self.batches_per_epoch), (len(X), 1))
            return probs, (np.array(X), params)
        return self.model["rnn_forward"](X, params)

    def backward(self, Y, cache):
        rows = self.row_indices(cache[0])
        self.backward_rows.append(rows)
        if not (len(rows) == len(Y) and all(r >= 0 and np.array_equal(np.asarray(y), self.labels[r])
                                            for r, y in zip(rows, np.asarray(Y)))):
            self.label_mismatch += 1
        if self.case.scripted:
            return {"w": np.array([-1.0])}
        return self.model["rnn_backward"](Y, cache)

    def step(self, params, grads, velocity, lr, momentum, *rest, **kwargs):
        given = "none" if velocity is None else ("previous" if velocity is self.last_velocity else "other")
        clip = rest[0] if rest else kwargs.get("clip")
        self.steps.append((given, float(lr), float(momentum), None if clip is None else float(clip)))
        out = self.momentum_step(params, grads, velocity, lr, momentum, *rest, **kwargs)
        self.last_velocity = out[1]
        return out


def probe_training(probe, aspect, case):
    """One run of train_recurrent on `case`: the params and history it returned, the rows of
    every forward and backward call, and every momentum_step call (the namespace's
    momentum_step, the reference's, is wrapped for the run)."""
    fn, scope = probe.obj, probe.scope
    arrays, info = {}, {}
    X, Y, params0 = case.data()
    model = scope.get("_grader_model")
    momentum_step = scope.get("momentum_step")
    recorder = _Recorder(case, X, Y, model, momentum_step)
    if callable(momentum_step):
        scope["momentum_step"] = recorder.step
    np.random.seed(case.global_seed)
    np.random.random(case.global_seed + 3)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(recorder.forward, recorder.backward, {k: v.copy() for k, v in params0.items()},
                     X.copy(), Y.copy(), case.lr, case.momentum, case.batch_size, case.max_epochs,
                     case.generator(), val_fraction=case.val_fraction, patience=case.patience)
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError("train_recurrent must return a tuple (params, history)")
        params, history = out
        _dict_of_arrays(params, list(params0), "params:", arrays, info, "params")
        if not isinstance(history, dict):
            info["history_type"] = type(history).__name__
        else:
            info["history_keys"] = sorted(str(k) for k in history)
            for key in ("train_loss", "val_loss", "val_acc"):
                if key in history:
                    arrays[f"history:{key}"] = float_array(list(history[key])).reshape(-1)
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    finally:
        if callable(momentum_step):
            scope["momentum_step"] = momentum_step
    arrays["backward:len"] = np.asarray([len(r) for r in recorder.backward_rows], dtype=np.int64)
    arrays["backward:idx"] = np.asarray([i for r in recorder.backward_rows for i in r], dtype=np.int64)
    arrays["forward:len"] = np.asarray([len(r) for r in recorder.forward_rows], dtype=np.int64)
    arrays["forward:idx"] = np.asarray([i for r in recorder.forward_rows for i in r], dtype=np.int64)
    info["label_mismatch"] = recorder.label_mismatch
    info["steps"] = recorder.steps
    info["has_momentum_step"] = callable(momentum_step)
    return arrays, info


# ---------------------------------------------------------------------------------------------
# The units' probes
# ---------------------------------------------------------------------------------------------

class BpttProbe(UnitProbe):
    """A unit of this assignment: `cases` {aspect: [case]} and `run(probe, aspect, case)`, which
    runs the student's code on one case. Around every case: the unit's first name must be a
    function, and numpy's global random state is left as it was (the student's code, or the
    training probe, may draw from it)."""

    def __init__(self, cases, run):
        super().__init__(cases=cases)
        self.run_case = run

    def probe_case(self, probe, aspect, case, device):
        if not callable(probe.obj):
            return {}, {"not_callable": probe.unit.defines[0]}
        state = np.random.get_state()
        try:
            return self.run_case(probe, aspect, case)
        finally:
            np.random.set_state(state)


PAIR_ASPECTS = {"forward": PAIR_CASES, "backward": BACKWARD_CASES}

PROBES = probes_for(
    TABLE,
    rnn_bptt=BpttProbe(PAIR_ASPECTS, pair_runner("rnn")),
    lstm_bptt=BpttProbe(PAIR_ASPECTS, pair_runner("lstm")),
    gru_bptt=BpttProbe(PAIR_ASPECTS, pair_runner("gru")),
    momentum_step=BpttProbe({"values": MOMENTUM_CASES, "pure": PURE_CASES}, probe_momentum),
    confusion_matrix=BpttProbe({"values": CONFUSION_CASES}, probe_confusion),
    train_recurrent=BpttProbe({"updates": UPDATE_CASES, "stopping": STOP_CASES, "rng": RNG_RUNS},
                              probe_training),
)
