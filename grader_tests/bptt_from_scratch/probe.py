"""The probe half of the `bptt_from_scratch` checks: runs student code, returns plain data.

Copied into the grading sandbox (grader_tests/framework/pipeline/grading.py): it must not import
`reference` or hold anything that gives an answer away. It builds the grader's inputs, calls
the student's functions and records numpy arrays plus a small JSON-able `info` dict per case;
the judge (judge.py) recomputes everything with the reference.

`train_recurrent` receives its model as arguments: the probe hands it the reference RNN (put in
the namespace as `_grader_model` by the judge's given code) or a *scripted* model whose
validation loss follows a fixed table whatever the split and shuffles, both wrapped so that
every forward, backward and `momentum_step` call is recorded.
"""
import dataclasses
import warnings

import numpy as np

from grader_tests.framework.sandboxed import harness
from grader_tests.framework.sandboxed.kinds import float_array
from grader_tests.framework.contract.numerics import numerical_gradient
from grader_tests.bptt_from_scratch.units import TABLE

UNITS = {u.id: u.defines for u in TABLE.code_units}
MODEL_OF = {"rnn_bptt": "rnn", "lstm_bptt": "lstm", "gru_bptt": "gru"}


# ---------------------------------------------------------------------------------------------
# Forward/backward pairs
# ---------------------------------------------------------------------------------------------

def param_shapes(model, D, H, K):
    """{key: shape} of a model's parameters (the contract's names)."""
    if model == "rnn":
        shapes = {"Wx": (D, H), "Wh": (H, H), "b": (H,)}
    elif model == "lstm":
        shapes = {f"W{g}": (D + H, H) for g in "fico"}
        shapes.update({f"b{g}": (H,) for g in "fico"})
    else:
        shapes = {f"W{g}": (D, H) for g in "zrn"}
        shapes.update({f"U{g}": (H, H) for g in "zrn"})
        shapes.update({f"b{g}": (H,) for g in "zrn"})
    shapes.update(Wy=(H, K), by=(K,))
    return shapes


@dataclasses.dataclass(frozen=True)
class PairCase:
    seed: int
    N: int
    T: int
    D: int
    H: int
    K: int
    big: bool = False      # large inputs on small input weights: some true gradients exceed 10
    hint: str = ""

    def describe(self):
        what = f"N={self.N}, T={self.T}, D={self.D}, H={self.H}, K={self.K}"
        return what + (" (large inputs)" if self.big else "")

    def inputs(self, model):
        """(X, params, Y) of this case for `model`."""
        rng = np.random.default_rng(50_000 + self.seed)
        X = rng.standard_normal((self.N, self.T, self.D)) * (30.0 if self.big else 1.0)
        params = {}
        for key, shape in param_shapes(model, self.D, self.H, self.K).items():
            w = 0.5 * rng.standard_normal(shape)
            if self.big:
                if key in ("Wx", "Wz", "Wr", "Wn"):
                    w *= 0.04
                elif model == "lstm" and key[0] == "W" and key != "Wy":
                    w[:self.D] *= 0.04
                elif key == "Wy":
                    w *= 10.0
            params[key] = w
        Y = np.eye(self.K)[rng.integers(0, self.K, self.N)]
        return X, params, Y


PAIR_CASES = [
    PairCase(1, 3, 5, 2, 4, 3),
    PairCase(2, 1, 4, 3, 3, 2, hint="It fails only for N = 1: keep the batch axis (no squeeze)."),
    PairCase(3, 4, 1, 2, 3, 3, hint="It fails only for T = 1: the sequence may have a single step."),
    PairCase(4, 2, 6, 1, 1, 2, hint="It fails only for D = 1, H = 1: keep every axis."),
    PairCase(5, 5, 7, 3, 5, 4),
    PairCase(6, 2, 6, 2, 4, 3, big=True),
]
BACKWARD_CASES = PAIR_CASES
FD_CASES = (0, 2)      # indices of BACKWARD_CASES also checked by finite differences


def _call_forward(forward, X, params):
    result = forward(X, params)
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise TypeError("the forward pass must return a tuple (probs, cache)")
    return float_array(result[0]), result[1]


def _mean_cross_entropy(probs, Y):
    with np.errstate(all="ignore"):
        return float(-np.mean(np.log(np.sum(probs * Y, axis=1))))


def probe_pair(forward, backward, model, case, aspect, finite_differences=False):
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
            if finite_differences:
                work = {k: v.copy() for k, v in originals[1].items()}

                def loss():   # fresh copies on every call: the student's code may edit them
                    probs, _ = _call_forward(forward, originals[0].copy(), {k: v.copy() for k, v in work.items()})
                    return _mean_cross_entropy(probs, originals[2])
                for key in work:
                    arrays[f"num:{key}"] = numerical_gradient(loss, work[key])
    except NotImplementedError:
        info["error"] = "NotImplementedError"
    except Exception as err:  # the student's code raised: a verdict, not a grader failure
        info["error"] = harness.describe_exception(err)
    return arrays, info


# ---------------------------------------------------------------------------------------------
# momentum_step
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class MomentumCase:
    seed: int
    shapes: tuple            # ((key, shape), ...)
    lr: float
    momentum: float
    clip: float = None       # None: the default (not passed)
    velocity: bool = True    # False: velocity=None
    grad_scale: float = 1.0

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


def probe_momentum(fn, case, aspect):
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
    except NotImplementedError:
        info["error"] = "NotImplementedError"
    except Exception as err:
        info["error"] = harness.describe_exception(err)
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
    hint: str = ""

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


CONFUSION_CASES = [
    ConfusionCase(1, 40, 4),
    ConfusionCase(2, 60, 6, agree=0.3),
    ConfusionCase(3, 25, 6, present=4, hint="Some classes never occur in these labels: the matrix is "
                                            "still num_classes x num_classes."),
    ConfusionCase(4, 1, 3, hint="It fails for a single label."),
    ConfusionCase(5, 30, 2, agree=0.8),
]


def probe_confusion(fn, case):
    arrays, info = {}, {}
    y_true, y_pred = case.inputs()
    copies = (y_true.copy(), y_pred.copy())
    try:
        out = fn(y_true, y_pred, case.K)
        arr = np.asarray(out)
        info["dtype"] = str(arr.dtype)
        info["integer"] = bool(np.issubdtype(arr.dtype, np.integer))
        arrays["out"] = float_array(arr)
    except NotImplementedError:
        info["error"] = "NotImplementedError"
    except Exception as err:
        info["error"] = harness.describe_exception(err)
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

    def describe(self):
        return (f"N={self.N}, val_fraction={self.val_fraction:g}, batch_size={self.batch_size}, "
                f"max_epochs={self.max_epochs}, patience={self.patience}, lr={self.lr:g}, "
                f"momentum={self.momentum:g}")

    @property
    def n_val(self):
        return int(self.val_fraction * self.N)

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
RNG_RUNS = (("a", 11, 1), ("b", 11, 2), ("c", 12, 3))     # (label, rng seed, global numpy seed)


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


def _record_run(fn, case, seed, global_seed):
    arrays, info = {}, {}
    X, Y, params0 = case.data()
    scope = getattr(fn, "__globals__", {})
    model = scope.get("_grader_model")
    momentum_step = scope.get("momentum_step")
    recorder = _Recorder(case, X, Y, model, momentum_step)
    if callable(momentum_step):
        scope["momentum_step"] = recorder.step
    np.random.seed(global_seed)
    np.random.random(global_seed + 3)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(recorder.forward, recorder.backward, {k: v.copy() for k, v in params0.items()},
                     X.copy(), Y.copy(), case.lr, case.momentum, case.batch_size, case.max_epochs,
                     np.random.default_rng(seed), val_fraction=case.val_fraction, patience=case.patience)
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
    except NotImplementedError:
        info["error"] = "NotImplementedError"
    except Exception as err:
        info["error"] = harness.describe_exception(err)
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


def probe_train(fn, case):
    return _record_run(fn, case, 90_000 + case.seed, 1)


def probe_train_rng(fn):
    arrays, info = {}, {}
    for label, seed, global_seed in RNG_RUNS:
        got, meta = _record_run(fn, RNG_CASE, seed, global_seed)
        arrays.update({f"{label}:{k}": v for k, v in got.items()})
        info.update({f"{label}:{k}": v for k, v in meta.items()})
    return arrays, info


# ---------------------------------------------------------------------------------------------
# Plans: the probes of one hidden test, identical on the probe and judge sides
# ---------------------------------------------------------------------------------------------

def plan(unit, aspect):
    if unit in MODEL_OF:
        return PAIR_CASES if aspect == "forward" else BACKWARD_CASES
    if unit == "momentum_step":
        return MOMENTUM_CASES if aspect == "values" else PURE_CASES
    if unit == "confusion_matrix":
        return CONFUSION_CASES
    return {"updates": UPDATE_CASES, "stopping": STOP_CASES, "rng": ["rng"]}[aspect]


def _probe(unit, aspect, obj, k, case):
    if unit in MODEL_OF:
        forward, backward = obj.get(UNITS[unit][0]), obj.get(UNITS[unit][1])
        return probe_pair(forward, backward, MODEL_OF[unit], case, aspect,
                          finite_differences=aspect == "backward" and k in FD_CASES)
    if unit == "momentum_step":
        return probe_momentum(obj, case, aspect)
    if unit == "confusion_matrix":
        return probe_confusion(obj, case)
    return probe_train_rng(obj) if aspect == "rng" else probe_train(obj, case)


def run_probes(unit, obj, aspects, devices=None):
    """Every probe of `unit` for `aspects`: ({aspect: [info, ...]}, {key: array}); array keys are
    '<aspect>/<k>/<name>' for the k-th case of `plan`. numpy only: `devices` is unused."""
    infos, arrays = {}, {}
    first = obj.get(UNITS[unit][0]) if isinstance(obj, dict) else obj
    for aspect in aspects:
        infos[aspect] = []
        for k, case in enumerate(plan(unit, aspect)):
            if not callable(first):
                got, info = {}, {"error": f"{UNITS[unit][0]} is not a function"}
            else:
                state = np.random.get_state()
                try:
                    got, info = _probe(unit, aspect, obj, k, case)
                finally:
                    np.random.set_state(state)
            infos[aspect].append(info)
            arrays.update(harness.keyed(aspect, k, got))
    return infos, arrays
