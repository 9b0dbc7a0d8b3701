"""The probe half of the `sparse_autoencoder` checks: runs student code, returns plain data.

Copied into the grading sandbox (grader_tests/framework/pipeline/grading.py): it must not import `reference` or
hold anything that gives an answer away. It builds the grader's inputs, calls the student's
function and records results as numpy arrays plus a small JSON-able `info` dict per probe. The
judge half (judge.py) recomputes everything with the reference.

`train_autoencoder` is probed in a namespace whose `init_weights` and `ae_cost` are the
reference's, wrapped by the given code so that they record their calls into the namespace's
`_grader_recording["calls"]` list while the probe sets one (see `given_source` in the judge module).
"""
import copy
import dataclasses
import warnings

import numpy as np

from grader_tests.framework.sandboxed import harness
from grader_tests.framework.contract.numerics import numerical_gradient
from grader_tests.sparse_autoencoder.units import TABLE

UNITS = {u.id: u.defines for u in TABLE.code_units}
KEYS = ("W1", "b1", "W2", "b2")


# ---------------------------------------------------------------------------------------------
# Cases and the grader's inputs
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class PreCase:
    N: int
    kind: str          # 'uniform', 'spiky' (clipping active), 'const' (one constant image), 'smooth'
    seed: int
    hint: str = ""

    def describe(self):
        what = {"uniform": "uniform random pixels", "spiky": "pixels with rare outliers (clipping active)",
                "const": "a batch holding one constant image", "smooth": "smooth gradients with noise"}
        return f"an input of shape ({self.N}, 3, 16, 16) with {what[self.kind]}"


PRE_CASES = [
    PreCase(6, "uniform", 1),
    PreCase(9, "spiky", 2),
    PreCase(5, "const", 3, "It fails on a batch with a constant image: its mean-subtracted pixels are all 0 and stay in the batch's statistics."),
    PreCase(1, "spiky", 4, "It fails only for N = 1: keep the batch axis."),
    PreCase(1, "uniform", 5, "It fails only for N = 1: keep the batch axis."),
    PreCase(12, "smooth", 6),
]
PRE_INPUT_CASES = [PRE_CASES[0], PRE_CASES[1], PRE_CASES[3]]


def preprocess_input(case):
    rng = np.random.default_rng(100 + case.seed)
    shape = (case.N, 3, 16, 16)
    if case.kind == "uniform":
        return rng.uniform(0, 1, shape)
    if case.kind == "spiky":
        x = np.clip(0.5 + 0.06 * rng.standard_normal(shape), 0, 1)
        mask = rng.random(shape) < 0.01
        x[mask] = rng.choice([0.0, 1.0], size=mask.sum())
        return x
    if case.kind == "const":
        x = rng.uniform(0.2, 0.8, shape) ** 2
        x[2] = 0.37
        return x
    ramp = np.linspace(0, 1, 16)
    base = rng.uniform(0.2, 0.8, (case.N, 3, 1, 1)) * ramp[None, None, :, None] * rng.uniform(0.3, 1, (case.N, 1, 1, 1))
    return np.clip(base + 0.03 * rng.standard_normal(shape), 0, 1)


INIT_SIZES = [(256, 64), (64, 10), (20, 100), (5, 3), (1, 1)]


@dataclasses.dataclass(frozen=True)
class AECase:
    N: int
    L_in: int
    L_hid: int
    lam: float
    beta: float
    rho: float
    seed: int
    hint: str = ""

    def params(self):
        return {"L_in": self.L_in, "L_hid": self.L_hid, "lambda": self.lam, "beta": self.beta,
                "rho": self.rho}

    def describe(self):
        return (f"N={self.N}, L_in={self.L_in}, L_hid={self.L_hid}, lambda={self.lam:g}, "
                f"beta={self.beta:g}, rho={self.rho:g}")


AE_CASES = [
    AECase(6, 10, 4, 0.0, 0.0, 0.1, 1, "(lambda = beta = 0: only the reconstruction term.)"),
    AECase(6, 10, 4, 0.05, 0.0, 0.1, 2, "(beta = 0: reconstruction and weight decay only.)"),
    AECase(7, 9, 5, 0.0, 0.4, 0.05, 3, "(lambda = 0: reconstruction and sparsity only.)"),
    AECase(8, 12, 6, 0.02, 0.3, 0.2, 4),
    AECase(1, 10, 4, 0.01, 0.3, 0.1, 5, "It fails only for N = 1: keep the batch axis."),
    AECase(5, 8, 1, 0.01, 0.2, 0.3, 6, "It fails only for L_hid = 1: keep the (N, 1) hidden shape."),
    AECase(9, 7, 3, 0.003, 0.5, 0.01, 7),
    AECase(6, 6, 6, 0.01, 0.2, 0.5, 8),
    AECase(20, 64, 9, 5e-4, 0.1, 0.05, 9),
]
FD_CASES = [AE_CASES[3], AE_CASES[4], AE_CASES[5], AECase(4, 6, 3, 0.0, 0.0, 0.1, 10)]


def ae_inputs(case):
    """(We, data) for an ae_cost case: weights of a moderate scale, data in [0.1, 0.9]."""
    rng = np.random.default_rng(200 + case.seed)
    r = np.sqrt(6.0 / (case.L_in + case.L_hid)) * 1.5
    We = {"W1": rng.uniform(-r, r, (case.L_in, case.L_hid)), "b1": rng.uniform(-0.5, 0.5, case.L_hid),
          "W2": rng.uniform(-r, r, (case.L_hid, case.L_in)), "b2": rng.uniform(-0.5, 0.5, case.L_in)}
    data = rng.uniform(0.1, 0.9, (case.N, case.L_in))
    return We, data


@dataclasses.dataclass(frozen=True)
class TrainCase:
    name: str
    N: int
    L_in: int
    L_hid: int
    lr: float
    batch_size: int
    epochs: int
    seed: int
    lam: float = 1e-3
    beta: float = 0.1
    rho: float = 0.1
    rows: str = "unique"       # 'unique', 'same' (every row equal), 'structured'

    def params(self):
        return {"L_in": self.L_in, "L_hid": self.L_hid, "lambda": self.lam, "beta": self.beta,
                "rho": self.rho}

    def describe(self):
        return (f"N={self.N}, L_in={self.L_in}, L_hid={self.L_hid}, learning_rate={self.lr:g}, "
                f"batch_size={self.batch_size}, epochs={self.epochs}")


TRAIN_CASES = {
    "lr0": TrainCase("lr0", 20, 8, 3, 0.0, 6, 2, 11),
    "full": TrainCase("full", 12, 10, 4, 0.8, 12, 3, 12, lam=0.01, beta=0.3),
    "bigbatch": TrainCase("bigbatch", 9, 6, 3, 0.5, 50, 2, 13),
    "same": TrainCase("same", 10, 8, 3, 0.5, 4, 2, 14, rows="same"),
    "minibatch": TrainCase("minibatch", 30, 12, 4, 0.5, 8, 3, 15),
    "decrease": TrainCase("decrease", 120, 16, 6, 0.5, 10, 4, 16, rows="structured"),
}
RNG_CASE = TrainCase("rng", 24, 10, 4, 0.5, 5, 3, 21)
RNG_SEEDS = (21, 21, 22)      # runs a, b (same seed, different global numpy state), c


def train_data(case):
    rng = np.random.default_rng(300 + case.seed)
    if case.rows == "same":
        return np.repeat(rng.uniform(0.1, 0.9, (1, case.L_in)), case.N, axis=0)
    if case.rows == "structured":
        basis = rng.standard_normal((3, case.L_in))
        codes = rng.standard_normal((case.N, 3))
        x = codes @ basis + 0.2 * rng.standard_normal((case.N, case.L_in))
        return 0.5 + 0.4 * np.tanh(x / 3)
    return rng.uniform(0.1, 0.9, (case.N, case.L_in))


# ---------------------------------------------------------------------------------------------
# Probes
# ---------------------------------------------------------------------------------------------

def _error(err):
    return harness.describe_exception(err)


def _as_float_array(value):
    arr = np.asarray(value)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"expected numbers, got {type(value).__name__}")
    return arr.astype(np.float64)


def probe_preprocess(fn, case):
    arrays, info = {}, {}
    x = preprocess_input(case)
    original = x.copy()
    try:
        out = fn(x)
        arr = np.asarray(out)
        info["out_type"] = type(out).__name__
        info["out_dtype"] = str(arr.dtype)
        info["out_shape"] = list(arr.shape)
        arrays["out"] = _as_float_array(arr)
        again = fn(original.copy())
        arrays["out2"] = _as_float_array(again)
    except Exception as err:  # the student's code raised: a verdict
        info["error"] = _error(err)
    info["modified_input"] = not np.array_equal(x, original)
    return arrays, info


def _state_equal(a, b):
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and tuple(a[2:]) == tuple(b[2:])


def _weights(out, prefix):
    arrays, info = {}, {}
    if not isinstance(out, dict):
        info["type"] = type(out).__name__
        return arrays, info
    info["keys"] = sorted(str(k) for k in out)
    for k in KEYS:
        if k in out:
            try:
                arrays[f"{prefix}{k}"] = _as_float_array(out[k])
                info[f"dtype:{k}"] = str(np.asarray(out[k]).dtype)
            except Exception as err:  # a non-numeric entry
                info["error"] = _error(err)
    return arrays, info


def probe_init_range(fn, size):
    L_in, L_hid = size
    try:
        out = fn(L_in, L_hid, np.random.default_rng(1000 + L_in + L_hid))
    except Exception as err:
        return {}, {"error": _error(err)}
    return _weights(out, "")


def probe_init_rng(fn):
    arrays, info = {}, {}
    try:
        results, touched = [], False
        for global_seed, seed in ((0, 5), (1, 5), (2, 6)):
            np.random.seed(global_seed)
            before = np.random.get_state()
            rng = np.random.default_rng(seed)
            rng_before = copy.deepcopy(rng.bit_generator.state)
            out = fn(64, 16, rng)
            touched |= not _state_equal(before, np.random.get_state())
            info.setdefault("rng_advanced", []).append(rng.bit_generator.state != rng_before)
            got, meta = _weights(out, "")
            if "keys" not in meta or any(k not in got for k in KEYS):
                info["error"] = "init_weights did not return a dict with keys W1, b1, W2, b2"
                return arrays, info
            results.append(got)
        a, b, c = results
        info["same_seed_equal"] = all(np.array_equal(a[k], b[k]) for k in KEYS)
        info["other_seed_differs"] = any(a[k].shape != c[k].shape or not np.array_equal(a[k], c[k])
                                         for k in KEYS)
        info["global_state_touched"] = touched
    except Exception as err:
        info["error"] = _error(err)
    return arrays, info


def _call_cost(fn, We, data, params):
    out = fn(We, data, params)
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError("ae_cost must return a tuple (J, grads)")
    J, grads = out
    J = np.asarray(J, dtype=np.float64)
    if J.size != 1:
        raise TypeError(f"J must be a scalar, got an array of shape {J.shape}")
    return float(J.reshape(())), grads


def probe_ae_cost(fn, case, finite_differences=False):
    arrays, info = {}, {}
    We, data = ae_inputs(case)
    originals = ({k: v.copy() for k, v in We.items()}, data.copy())
    params = case.params()
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            J, grads = _call_cost(fn, {k: v.copy() for k, v in We.items()}, data.copy(), dict(params))
            arrays["J"] = np.asarray(J)
            if not isinstance(grads, dict):
                info["grads_type"] = type(grads).__name__
            else:
                info["grad_keys"] = sorted(str(k) for k in grads)
                for k in KEYS:
                    if k in grads:
                        arrays[f"grad:{k}"] = _as_float_array(grads[k])
            J_orig, _ = _call_cost(fn, We, data, params)
            info["modified_inputs"] = ([k for k in KEYS if not np.array_equal(We[k], originals[0][k])]
                                       + (["data"] if not np.array_equal(data, originals[1]) else []))
            if finite_differences:
                work = {q: v.copy() for q, v in originals[0].items()}

                def J_of_work():  # fresh copies on every call: the student's code may edit them
                    return _call_cost(fn, {q: v.copy() for q, v in work.items()},
                                      originals[1].copy(), dict(params))[0]
                for k in KEYS:
                    arrays[f"num:{k}"] = numerical_gradient(J_of_work, work[k])
    except Exception as err:
        info["error"] = _error(err)
    return arrays, info


class _Recorder(list):
    """The list the given code's wrapped init_weights / ae_cost append their calls to:
    (name, positional args (arrays copied), keyword args, result (dict of arrays) or None)."""


def _run_train(fn, case, seed, data, global_seed=None):
    """One call of the student's train_autoencoder; returns (arrays, info)."""
    arrays, info = {}, {}
    recording = getattr(fn, "__globals__", {}).get("_grader_recording")
    calls = _Recorder()
    if isinstance(recording, dict):
        recording["calls"] = calls
    rng = np.random.default_rng(seed)
    if global_seed is not None:
        np.random.seed(global_seed)
        np.random.random(global_seed + 3)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(data.copy(), case.params(), case.lr, case.batch_size, case.epochs, rng)
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError("train_autoencoder must return a tuple (We, loss_history)")
        We, history = out
        got, meta = _weights(We, "We:")
        arrays.update(got)
        info.update({f"We_{k}": v for k, v in meta.items()})
        info["history_type"] = type(history).__name__
        hist = _as_float_array(list(history) if not isinstance(history, np.ndarray) else history)
        arrays["history"] = hist.reshape(-1) if hist.size == len(history) else hist
        info["history_len"] = len(history)
    except Exception as err:
        info["error"] = _error(err)
    finally:
        if isinstance(recording, dict):
            recording["calls"] = None
    rows = {row.tobytes(): i for i, row in enumerate(data)}
    init_calls = [c for c in calls if c[0] == "init_weights"]
    cost_calls = [c for c in calls if c[0] == "ae_cost"]
    info["n_init_calls"] = len(init_calls)
    info["n_cost_calls"] = len(cost_calls)
    if init_calls:
        _, args, kwargs, out = init_calls[0]
        given = list(args) + [kwargs.get(k) for k in ("L_in", "L_hid", "rng") if k in kwargs]
        info["init_args"] = [int(a) if isinstance(a, (int, np.integer)) else repr(type(a).__name__)
                             for a in given[:2]]
        info["init_rng_is_given"] = len(given) > 2 and given[2] is rng
        if isinstance(out, dict):
            arrays.update({f"init:{k}": _as_float_array(out[k]) for k in KEYS if k in out})
    if rows and len(rows) == len(data):
        lengths, idx = [], []
        for _, args, kwargs, _ in cost_calls:
            batch = args[1] if len(args) > 1 else kwargs.get("data")
            try:
                batch = np.asarray(batch, dtype=np.float64)
                found = [rows.get(r.tobytes(), -1) for r in batch.reshape(-1, data.shape[1])]
            except Exception:  # the batch is not rows of the data
                found = [-1]
            lengths.append(len(found))
            idx.extend(found)
        arrays["calls:len"] = np.asarray(lengths, dtype=np.int64)
        arrays["calls:idx"] = np.asarray(idx, dtype=np.int64)
    return arrays, info


def probe_train(fn, case):
    return _run_train(fn, case, case.seed, train_data(case))


def probe_train_rng(fn):
    arrays, info = {}, {}
    data = train_data(RNG_CASE)
    for label, seed, global_seed in zip("abc", RNG_SEEDS, (1, 2, 3)):
        got, meta = _run_train(fn, RNG_CASE, seed, data, global_seed=global_seed)
        arrays.update({f"{label}:{k}": v for k, v in got.items()})
        info.update({f"{label}:{k}": v for k, v in meta.items()})
    return arrays, info


# ---------------------------------------------------------------------------------------------
# Plans: the probes of one hidden test, identical on the probe and judge sides
# ---------------------------------------------------------------------------------------------

def plan(unit, aspect):
    if unit == "preprocess":
        return PRE_CASES if aspect == "values" else PRE_INPUT_CASES
    if unit == "init_weights":
        return INIT_SIZES if aspect == "range" else ["rng"]
    if unit == "ae_cost":
        return FD_CASES if aspect == "consistency" else AE_CASES
    if aspect == "updates":
        return list(TRAIN_CASES.values())
    return ["rng"]


def probe(unit, aspect, fn, case):
    if unit == "preprocess":
        return probe_preprocess(fn, case)
    if unit == "init_weights":
        return probe_init_range(fn, case) if aspect == "range" else probe_init_rng(fn)
    if unit == "ae_cost":
        return probe_ae_cost(fn, case, finite_differences=(aspect == "consistency"))
    return probe_train(fn, case) if aspect == "updates" else probe_train_rng(fn)


def run_probes(unit, fn, aspects, devices=None):
    """Every probe of `unit` for `aspects`: ({aspect: [info, ...]}, {key: array}).

    Array keys are '<aspect>/<k>/<name>' for the k-th case of `plan`. `devices` is unused: the
    student's code is numpy; the judge runs the reference on the grading devices.
    """
    infos, arrays = {}, {}
    for aspect in aspects:
        infos[aspect] = []
        for k, case in enumerate(plan(unit, aspect)):
            if not callable(fn):
                got, info = {}, {"error": f"{UNITS[unit][0]} is not a function"}
            else:
                state = np.random.get_state()
                try:
                    got, info = probe(unit, aspect, fn, case)
                finally:
                    np.random.set_state(state)
            infos[aspect].append(info)
            arrays.update(harness.keyed(aspect, k, got))
    return infos, arrays
