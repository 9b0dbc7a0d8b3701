"""The probe half of the `sparse_autoencoder` checks: runs student code, returns plain data.

Copied into the grading sandbox (grader_tests/framework/pipeline/grading.py): it must not import
`reference` or hold anything that gives an answer away. Every unit is a numpy function with
inputs of its own (a batch of colour patches, layer sizes, weights and data, a training run), so
each has a `NumpyUnitProbe`: its cases per aspect and, per aspect, the function that calls the
student's code on one case and records the results as numpy arrays plus a small JSON-able `info`
dict. They are registered in `PROBES`; the judge half (judge.py) recomputes everything with the
reference.

`train_autoencoder` is probed in a namespace whose `init_weights` and `ae_cost` are the
reference's, wrapped by the given code so that they record their calls into the namespace's
`_grader_recording["calls"]` list while the probe sets one (see `given_source` in the judge module).
"""
import copy
import dataclasses
import warnings

import numpy as np

from grader_tests.framework.contract.numerics import numerical_gradient
from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.sandboxed.kinds import UnitProbe, probes_for
from grader_tests.sparse_autoencoder.units import TABLE

KEYS = ("W1", "b1", "W2", "b2")


# ---------------------------------------------------------------------------------------------
# Cases and the grader's inputs
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class PreCase:
    N: int
    kind: str          # 'uniform', 'spiky' (clipping active), 'const' (one constant image), 'smooth'
    seed: int
    hint: Hint = None  # shown when this is the first failing case

    def describe(self):
        what = {"uniform": "uniform random pixels", "spiky": "pixels with rare outliers (clipping active)",
                "const": "a batch holding one constant image", "smooth": "smooth gradients with noise"}
        return f"an input of shape ({self.N}, 3, 16, 16) with {what[self.kind]}"


CONSTANT_IMAGE = Hint("preprocess:constant_image", "It fails on a batch with a constant image: its "
                      "mean-subtracted pixels are all 0 and stay in the batch's statistics.")
BATCH_OF_ONE = Hint("preprocess:batch_size_1", "It fails only for N = 1: keep the batch axis.")

PRE_CASES = [
    PreCase(6, "uniform", 1),
    PreCase(9, "spiky", 2),
    PreCase(5, "const", 3, CONSTANT_IMAGE),
    PreCase(1, "spiky", 4, BATCH_OF_ONE),
    PreCase(1, "uniform", 5, BATCH_OF_ONE),
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


@dataclasses.dataclass(frozen=True)
class InitCase:
    """init_weights(L_in, L_hid, rng) with a generator of the grader's."""
    L_in: int
    L_hid: int

    def describe(self):
        return f"init_weights({self.L_in}, {self.L_hid}, rng)"


@dataclasses.dataclass(frozen=True)
class InitRngCase:
    """init_weights(L_in, L_hid, rng) three times: (numpy's global seed, rng's seed) per call."""
    L_in: int = 64
    L_hid: int = 16
    seeds: tuple = ((0, 5), (1, 5), (2, 6))

    def describe(self):
        seeds = [s for _, s in self.seeds]
        return (f"init_weights({self.L_in}, {self.L_hid}, rng) with generators seeded "
                f"{', '.join(map(str, seeds[:-1]))} and {seeds[-1]}")


INIT_CASES = [InitCase(256, 64), InitCase(64, 10), InitCase(20, 100), InitCase(5, 3), InitCase(1, 1)]
INIT_RNG_CASES = [InitRngCase()]


@dataclasses.dataclass(frozen=True)
class AECase:
    N: int
    L_in: int
    L_hid: int
    lam: float
    beta: float
    rho: float
    seed: int
    hint: Hint = None

    def params(self):
        return {"L_in": self.L_in, "L_hid": self.L_hid, "lambda": self.lam, "beta": self.beta,
                "rho": self.rho}

    def describe(self):
        return (f"N={self.N}, L_in={self.L_in}, L_hid={self.L_hid}, lambda={self.lam:g}, "
                f"beta={self.beta:g}, rho={self.rho:g}")


RECONSTRUCTION_ONLY = Hint("ae_cost:reconstruction_only", "Here lambda = beta = 0: only the reconstruction "
                           "term counts.")
NO_SPARSITY = Hint("ae_cost:no_sparsity", "Here beta = 0: only the reconstruction and weight-decay terms count.")
NO_WEIGHT_DECAY = Hint("ae_cost:no_weight_decay", "Here lambda = 0: only the reconstruction and sparsity terms count.")
COST_BATCH_OF_ONE = Hint("ae_cost:batch_size_1", "It fails only for N = 1: keep the batch axis.")
ONE_HIDDEN_UNIT = Hint("ae_cost:hidden_size_1", "It fails only for L_hid = 1: keep the (N, 1) hidden shape.")

AE_CASES = [
    AECase(6, 10, 4, 0.0, 0.0, 0.1, 1, RECONSTRUCTION_ONLY),
    AECase(6, 10, 4, 0.05, 0.0, 0.1, 2, NO_SPARSITY),
    AECase(7, 9, 5, 0.0, 0.4, 0.05, 3, NO_WEIGHT_DECAY),
    AECase(8, 12, 6, 0.02, 0.3, 0.2, 4),
    AECase(1, 10, 4, 0.01, 0.3, 0.1, 5, COST_BATCH_OF_ONE),
    AECase(5, 8, 1, 0.01, 0.2, 0.3, 6, ONE_HIDDEN_UNIT),
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
    """One training run. `replay` says how the judge replays it on the reference cost:
    'unchanged' (learning rate 0: the initial weights come back), 'exact' (the batches are known
    without a record: one batch per epoch, or every row equal), 'recorded' (the mini-batches the
    code passed to ae_cost). `must_decrease`: the loss must end below the initial weights'."""
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
    replay: str = "recorded"
    must_decrease: bool = False

    def params(self):
        return {"L_in": self.L_in, "L_hid": self.L_hid, "lambda": self.lam, "beta": self.beta,
                "rho": self.rho}

    def describe(self):
        return (f"N={self.N}, L_in={self.L_in}, L_hid={self.L_hid}, learning_rate={self.lr:g}, "
                f"batch_size={self.batch_size}, epochs={self.epochs}")


TRAIN_CASES = {
    "lr0": TrainCase("lr0", 20, 8, 3, 0.0, 6, 2, 11, replay="unchanged"),
    "full": TrainCase("full", 12, 10, 4, 0.8, 12, 3, 12, lam=0.01, beta=0.3, replay="exact"),
    "bigbatch": TrainCase("bigbatch", 9, 6, 3, 0.5, 50, 2, 13, replay="exact"),
    "same": TrainCase("same", 10, 8, 3, 0.5, 4, 2, 14, rows="same", replay="exact"),
    "minibatch": TrainCase("minibatch", 30, 12, 4, 0.5, 8, 3, 15),
    "decrease": TrainCase("decrease", 120, 16, 6, 0.5, 10, 4, 16, rows="structured", must_decrease=True),
}
RNG_CASE = TrainCase("rng", 24, 10, 4, 0.5, 5, 3, 21)
RNG_SEEDS = (21, 21, 22)      # runs a, b (same seed, different global numpy state), c
RNG_RUNS = "abc"              # the labels of those runs in the probe's keys


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

class ContractBroken(Exception):
    """The student's code returned something the contract rules out (a wrong type, a J that is
    not a scalar): recorded as info['broken'], a clause the judge puts after the function's name."""


def a_type(name):
    """How a returned value's type is named in a clause: 'a list', 'an int', 'None'."""
    if name == "NoneType":
        return "None"
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _as_float_array(value, what):
    arr = np.asarray(value)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise ContractBroken(f"returned {what} of dtype {arr.dtype}, not numbers")
    return arr.astype(np.float64)


def _record_failure(info, err):
    """The student's code raised, or broke the contract: what the judge reports."""
    if isinstance(err, ContractBroken):
        info["broken"] = str(err)
    else:
        harness.record_raised(info, err)


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
        arrays["out"] = _as_float_array(arr, "an output")
        again = fn(original.copy())
        arrays["out2"] = _as_float_array(again, "an output")
    except Exception as err:  # the student's code raised: a verdict
        _record_failure(info, err)
    info["modified_input"] = not np.array_equal(x, original)
    return arrays, info


def _state_equal(a, b):
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and tuple(a[2:]) == tuple(b[2:])


def _weights(out, prefix, named="{}"):
    """A weights dict as arrays '<prefix><key>' and its keys and dtypes in info; a non-numeric
    entry breaks the contract (`named` names an entry in the clause, e.g. "We['{}']")."""
    arrays, info = {}, {}
    if not isinstance(out, dict):
        info["type"] = type(out).__name__
        return arrays, info
    info["keys"] = sorted(str(k) for k in out)
    for k in KEYS:
        if k in out:
            arrays[f"{prefix}{k}"] = _as_float_array(out[k], named.format(k))
            info[f"dtype:{k}"] = str(np.asarray(out[k]).dtype)
    return arrays, info


def probe_init_range(fn, case):
    try:
        return _weights(fn(case.L_in, case.L_hid, np.random.default_rng(1000 + case.L_in + case.L_hid)), "")
    except Exception as err:
        info = {}
        _record_failure(info, err)
        return {}, info


def probe_init_rng(fn, case):
    arrays, info = {}, {}
    try:
        results, touched = [], False
        for global_seed, seed in case.seeds:
            np.random.seed(global_seed)
            before = np.random.get_state()
            rng = np.random.default_rng(seed)
            rng_before = copy.deepcopy(rng.bit_generator.state)
            out = fn(case.L_in, case.L_hid, rng)
            touched |= not _state_equal(before, np.random.get_state())
            info.setdefault("rng_advanced", []).append(rng.bit_generator.state != rng_before)
            got, meta = _weights(out, "")
            if "keys" not in meta or any(k not in got for k in KEYS):
                raise ContractBroken("did not return a dict with keys W1, b1, W2, b2")
            results.append(got)
        a, b, c = results
        info["same_seed_equal"] = all(np.array_equal(a[k], b[k]) for k in KEYS)
        info["other_seed_differs"] = any(a[k].shape != c[k].shape or not np.array_equal(a[k], c[k])
                                         for k in KEYS)
        info["global_state_touched"] = touched
    except Exception as err:
        _record_failure(info, err)
    return arrays, info


def _call_cost(fn, We, data, params):
    out = fn(We, data, params)
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise ContractBroken(f"returned {a_type(type(out).__name__)}, not a tuple (J, grads)")
    J, grads = out
    J = _as_float_array(J, "a J")
    if J.size != 1:
        raise ContractBroken(f"returned J of shape {J.shape}, not a scalar")
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
                        arrays[f"grad:{k}"] = _as_float_array(grads[k], f"grads['{k}']")
            _call_cost(fn, We, data, params)
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
        _record_failure(info, err)
    return arrays, info


def probe_ae_cost_consistency(fn, case):
    """The cost on `case` plus centred finite differences of the student's own J."""
    return probe_ae_cost(fn, case, finite_differences=True)


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
            raise ContractBroken(f"returned {a_type(type(out).__name__)}, not a tuple (We, loss_history)")
        We, history = out
        got, meta = _weights(We, "We:", named="We['{}']")
        arrays.update(got)
        info.update({f"We_{k}": v for k, v in meta.items()})
        info["history_type"] = type(history).__name__
        hist = _as_float_array(list(history) if not isinstance(history, np.ndarray) else history,
                               "a loss_history")
        arrays["history"] = hist.reshape(-1) if hist.size == len(history) else hist
        info["history_len"] = len(history)
    except Exception as err:
        _record_failure(info, err)
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
            arrays.update({f"init:{k}": np.asarray(out[k], dtype=np.float64) for k in KEYS if k in out})
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


def probe_train_rng(fn, case):
    """Three runs on the same data: a and b with the same seed but different global numpy
    states, c with another seed; keys '<run>:<name>'. The first run that raised (or broke the
    contract) is also reported under the plain keys, for the framework's checks."""
    arrays, info = {}, {}
    data = train_data(case)
    for label, seed, global_seed in zip(RNG_RUNS, RNG_SEEDS, (1, 2, 3)):
        got, meta = _run_train(fn, case, seed, data, global_seed=global_seed)
        arrays.update({f"{label}:{k}": v for k, v in got.items()})
        info.update({f"{label}:{k}": v for k, v in meta.items()})
        for failure in ("error", "broken"):
            if failure in meta and not ("error" in info or "broken" in info):
                info[failure] = meta[failure]
    return arrays, info


class NumpyUnitProbe(UnitProbe):
    """One of this assignment's numpy functions: `cases` {aspect: [case, ...]} and `runs`
    {aspect: run(fn, case) -> (arrays, info)}, the probe of one case. Each run leaves numpy's
    global random state as it found it (the cases that follow must not depend on the student's
    draws), and a defined name that is not a function is recorded as such, not called."""

    def __init__(self, cases, runs):
        super().__init__(cases=cases)
        self.runs = dict(runs)

    def probe_case(self, probe, aspect, case, device):
        fn = probe.obj
        if not callable(fn):
            return {}, {"not_function": type(fn).__name__}
        state = np.random.get_state()
        try:
            return self.runs[aspect](fn, case)
        finally:
            np.random.set_state(state)


PROBES = probes_for(
    TABLE,
    preprocess=NumpyUnitProbe(cases={"values": PRE_CASES, "input": PRE_INPUT_CASES},
                              runs={"values": probe_preprocess, "input": probe_preprocess}),
    init_weights=NumpyUnitProbe(cases={"range": INIT_CASES, "rng": INIT_RNG_CASES},
                                runs={"range": probe_init_range, "rng": probe_init_rng}),
    ae_cost=NumpyUnitProbe(cases={"value": AE_CASES, "gradients": AE_CASES, "consistency": FD_CASES},
                           runs={"value": probe_ae_cost, "gradients": probe_ae_cost,
                                 "consistency": probe_ae_cost_consistency}),
    train_autoencoder=NumpyUnitProbe(cases={"updates": list(TRAIN_CASES.values()), "rng": [RNG_CASE]},
                                     runs={"updates": probe_train, "rng": probe_train_rng}),
)
