"""The probe half of the `sequence_models` checks: runs student code, returns plain data.

Copied into the grading sandbox (grader_tests/framework/pipeline/grading.py): it must not import
`reference` or hold anything that gives an answer away. Every code unit has its spec in `PROBES`:

- the torch modules are `ModuleProbe`s (values and autograd gradients with the parameters shared
  by name, on every grading device, plus the contract checks every module unit gets: signatures
  and the output after earlier calls); the from-scratch models add a shapes-only pass on torch's
  `meta` device (it catches tensors created on a fixed device even without a GPU) and the
  initial parameters of one large model; the `seq_*` modules add `init_hidden`'s state;
- the functions have cases of their own: the training loop runs on a tiny model and loader the
  probe builds, recording every forward call; the optimisers, the error rate, the parameter
  count and the activation ratios are called on fixed inputs.
"""
import dataclasses
import typing
import warnings

import numpy as np

from grader_tests.framework.contract.verdict import Hint
from grader_tests.framework.sandboxed import harness
from grader_tests.framework.sandboxed.kinds import ModuleCase, ModuleProbe, UnitProbe, probes_for
from grader_tests.sequence_models.units import TABLE

UNITS = {u.id: u.defines for u in TABLE.code_units}


# ---------------------------------------------------------------------------------------------
# Torch modules: cases
# ---------------------------------------------------------------------------------------------

BATCH_SIZE_1 = Hint("sequence_models:batch_size_1",
                    "It fails only for batch size 1: keep the batch axis (no .squeeze()).")
SEQUENCE_LENGTH_1 = Hint("sequence_models:seq_len_1", "It fails only for T = 1: loop over x.shape[1].")
LOOPS_SEQ_LENGTH = Hint("sequence_models:loops_seq_length",
                        "It fails when T differs from seq_length: loop over x.shape[1].")


def _case(seed, args, shape, dtype="float64", hint=None):
    return ModuleCase(seed, args, (("x", shape),), dtype, hint)


# From-scratch models: (seq_length, input_dim, num_hidden, num_classes); (B, T) or (B, T, D) inputs.
SCRATCH_CASES = [
    _case(1, (5, 1, 6, 10), (4, 5)),
    _case(2, (4, 3, 5, 4), (3, 4, 3)),
    _case(3, (6, 1, 4, 10), (1, 6), hint=BATCH_SIZE_1),
    _case(4, (1, 2, 3, 5), (5, 1, 2), hint=SEQUENCE_LENGTH_1),
    _case(5, (7, 2, 8, 3), (6, 7, 2), dtype="float32"),
    _case(6, (9, 1, 5, 10), (3, 6), hint=LOOPS_SEQ_LENGTH),
]
SCRATCH_BACKWARD = SCRATCH_CASES[:3]
META_CASES = [SCRATCH_CASES[0], SCRATCH_CASES[2]]  # run on torch's meta device after the real devices
SCRATCH_STRUCTURE_ARGS = (10, 100, 200, 50)       # weights large enough to test the uniform range
# Sequence modules: (input_size, hidden_size, num_classes); (B, T, input_size) inputs.
SEQ_CASES = [
    _case(11, (8, 12, 10), (5, 8, 8)),
    _case(12, (3, 4, 2), (1, 6, 3), hint=BATCH_SIZE_1),
    _case(13, (5, 7, 3), (4, 1, 5)),
    _case(14, (8, 16, 10), (6, 8, 8), dtype="float32"),
]
SEQ_HIDDEN = [((8, 12, 10), 5, "float64"), ((3, 4, 2), 1, "float32")]   # (constructor args, batch, dtype)
HIDDEN_DEVICES = ("cpu", "meta")   # the meta device shows a state made on a fixed device


@dataclasses.dataclass(frozen=True)
class StructureCase:
    """The from-scratch models' `structure` probe: the initial parameters of `name(*args)`."""
    name: str
    args: tuple = SCRATCH_STRUCTURE_ARGS
    hint: Hint = None

    def describe(self):
        return f"{self.name}{self.args} (seq_length, input_dim, num_hidden, num_classes)"


@dataclasses.dataclass(frozen=True)
class HiddenCase:
    """One `init_hidden` probe: `name(*args)` moved to `device` in `dtype`, init_hidden(batch)."""
    name: str
    args: tuple
    batch: int
    dtype: str
    device: str
    hint: Hint = None

    def describe(self):
        return f"{self.name}{self.args} in {self.dtype} on {self.device}, init_hidden({self.batch})"


# ---------------------------------------------------------------------------------------------
# Torch modules: probes
# ---------------------------------------------------------------------------------------------

def _shape_of(tensor):
    import torch
    return list(tensor.shape) if isinstance(tensor, torch.Tensor) else None


def probe_meta(cls, case):
    """Build on the CPU, move to the meta device, run forward: fixed-device code fails here."""
    import torch
    info = {}
    try:
        torch.manual_seed(case.seed)
        module = cls(*case.args).to(device="meta", dtype=getattr(torch, case.dtype))
        x = torch.empty(*case.inputs[0][1], device="meta", dtype=getattr(torch, case.dtype))
        out = module(x)
        info["shape"] = _shape_of(out)
        info["device"] = out.device.type if isinstance(out, torch.Tensor) else None
    except Exception as err:  # the student's code raised: a verdict
        if isinstance(err, NotImplementedError) and str(err):
            # on the meta device this is torch's "no meta kernel for this op", a finding of this
            # probe: its text is kept (only a bare NotImplementedError reads as not answered)
            info["error"] = harness.describe_exception(err)
        else:
            harness.record_raised(info, err)
    return info


def probe_initial_parameters(cls, case):
    """The parameters of a freshly built `cls(*case.args)`, as arrays, and their order."""
    import torch
    info, got = {}, {}
    try:
        torch.manual_seed(7)
        module = cls(*case.args)
        info["param_order"] = [n for n, _ in module.named_parameters()]
        for name, p in module.named_parameters():
            got[f"param:{name}"] = p.detach().cpu().double().numpy()
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    return got, info


def probe_hidden(cls, case):
    """What init_hidden returns for a module on `case.device` in `case.dtype`: its kind, and each
    part's shape, dtype, device and whether it is zero."""
    import torch
    info = {}
    try:
        torch.manual_seed(3)
        module = cls(*case.args).to(device=case.device, dtype=getattr(torch, case.dtype))
        hidden = module.init_hidden(case.batch)
        parts = hidden if isinstance(hidden, (tuple, list)) else [hidden]
        info["kind"] = type(hidden).__name__
        info["parts"] = [{"shape": _shape_of(t), "dtype": str(t.dtype).replace("torch.", ""),
                          "device": t.device.type, "zero": bool(case.device == "meta" or not t.any())}
                         if isinstance(t, torch.Tensor) else {"type": type(t).__name__} for t in parts]
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    return info


def forward_once(cls):
    """One forward pass on the CPU, so that the rules monitor sees which torch modules the unit
    uses even when only init_hidden is checked (its failures are the forward test's business)."""
    import torch
    try:
        torch.manual_seed(0)
        case = SEQ_CASES[0]
        cls(*case.args).double()(case.tensors("cpu")["x"])
    except Exception:  # judged by the forward aspect
        pass


class ScratchModelProbe(ModuleProbe):
    """A recurrent model written from scratch (`VanillaRNN`, `LSTM`): `forward` and `backward` on
    every grading device, then for `forward` a shapes-only pass on torch's meta device;
    `structure`: the initial parameters of one large model."""

    def __init__(self, class_name):
        super().__init__(cases={"forward": SCRATCH_CASES, "backward": SCRATCH_BACKWARD})
        self.structure_case = StructureCase(class_name)

    def plan(self, aspect, devices):
        if aspect == "structure":
            return [(self.structure_case, None)]
        pairs = super().plan(aspect, devices)
        if aspect == "forward":
            pairs += [(case, "meta") for case in META_CASES]
        return pairs

    def probe_case(self, probe, aspect, case, device):
        if aspect == "structure":
            return probe_initial_parameters(probe.obj, case)
        if device == "meta":
            return {}, probe_meta(probe.obj, case)
        return super().probe_case(probe, aspect, case, device)


class SequenceModuleProbe(ModuleProbe):
    """A classifier built on torch's recurrent modules (`myRNN`, `myGatedRNN`, `myLSTM`):
    `forward` on every grading device; `hidden`: init_hidden on the CPU and the meta device, in
    float64 and float32 (after which one forward pass runs for the rules monitor)."""

    def __init__(self, class_name):
        super().__init__(cases={"forward": SEQ_CASES})
        self.hidden_cases = [HiddenCase(class_name, args, batch, dtype, device)
                             for args, batch, dtype in SEQ_HIDDEN for device in HIDDEN_DEVICES]

    def plan(self, aspect, devices):
        if aspect == "hidden":
            return [(case, None) for case in self.hidden_cases]
        return super().plan(aspect, devices)

    def probe_case(self, probe, aspect, case, device):
        if aspect == "hidden":
            return {}, probe_hidden(probe.obj, case)
        return super().probe_case(probe, aspect, case, device)

    def extras(self, probe, aspect):
        if aspect == "hidden":
            forward_once(probe.obj)
        return super().extras(probe, aspect)


# ---------------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------------

PARAM_COUNT_SIZES = [(1, 128, 10), (10, 20, 5), (3, 1, 2), (28, 64, 10), (1, 1, 1), (7, 33, 4)]


@dataclasses.dataclass(frozen=True)
class CountCase:
    """lstm_num_params(input_dim, num_hidden, num_classes) on `sizes`."""
    sizes: tuple
    hint: Hint = None

    def describe(self):
        return f"lstm_num_params{self.sizes}"


def probe_param_count(probe, aspect, case, device):
    info = {}
    try:
        value = probe.obj(*case.sizes)
        info["type"] = type(value).__name__
        info["value"] = int(value) if isinstance(value, (int, np.integer)) or (
            hasattr(value, "item") and float(value.item()).is_integer()) else repr(value)
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    return {}, info


BATCH_OF_ONE = Hint("batch_error:batch_size_1", "It fails for a batch of one: keep the batch axis.")
FIRST_MAXIMUM = Hint("batch_error:ties", "With ties the first maximum counts (as argmax).")


@dataclasses.dataclass(frozen=True)
class ErrorCase:
    seed: int
    B: int
    K: int
    ties: bool = False
    hint: Hint = None

    def describe(self):
        return f"outputs of shape ({self.B}, {self.K})" + (" with ties" if self.ties else "")

    def inputs(self):
        import torch
        gen = torch.Generator().manual_seed(500 + self.seed)
        outputs = torch.randn(self.B, self.K, generator=gen, dtype=torch.float64)
        if self.ties:
            outputs = outputs.round()
            outputs[:, 1] = outputs.max(dim=1).values   # the first maximum is at column <= 1
        labels = torch.randint(0, self.K, (self.B,), generator=gen)
        labels[: self.B // 2] = outputs[: self.B // 2].argmax(dim=1)
        return outputs, labels


ERROR_CASES = [ErrorCase(1, 16, 10), ErrorCase(2, 1, 4, hint=BATCH_OF_ONE),
               ErrorCase(3, 9, 3, ties=True, hint=FIRST_MAXIMUM), ErrorCase(4, 7, 2),
               ErrorCase(5, 1, 10, hint=BATCH_OF_ONE)]


def probe_batch_error(probe, aspect, case, device):
    info = {}
    outputs, labels = case.inputs()
    try:
        value = probe.obj(outputs.clone(), labels.clone())
        info["type"] = type(value).__name__
        info["value"] = float(value) if np.ndim(np.asarray(value.detach() if hasattr(value, "detach") else value)) == 0 else None
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    return {}, info


# The training loop: a tiny deterministic model and loader.
TRAIN_SAMPLES = 22


class TrainCase(typing.NamedTuple):
    """train(model, loss_fn, epochs, loader, lr) on the tiny model, in `dtype`."""
    dtype: str
    epochs: int
    lr: float
    batch_size: int

    @property
    def hint(self):
        return None

    def describe(self):
        return (f"a small model trained {self.epochs} epochs on {TRAIN_SAMPLES} samples in batches of "
                f"{self.batch_size}, lr={self.lr:g}")


TRAIN_CASES = [TrainCase("float64", 3, 0.05, 8), TrainCase("float64", 2, 0.01, 5)]


def tiny_model(dtype):
    import torch
    torch.manual_seed(42)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3))
    return model.to(getattr(torch, dtype))


def tiny_loader(dtype, batch_size):
    import torch
    gen = torch.Generator().manual_seed(7)
    X = torch.randn(TRAIN_SAMPLES, 3, 2, generator=gen, dtype=getattr(torch, dtype))
    y = torch.randint(0, 3, (TRAIN_SAMPLES,), generator=gen)
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=batch_size, shuffle=False)


class _MoveRecorder:
    """Wraps a loader: each batch's x is a tensor subclass that counts .to()/.cuda() calls (on the
    CPU a move to the CPU returns the same tensor, so only the call shows that it was asked for)."""

    def __init__(self, loader):
        import torch

        class Batch(torch.Tensor):
            moves = [0]

            def to(self, *args, **kwargs):
                Batch.moves[0] += 1
                return torch.Tensor.to(torch.Tensor._make_subclass(torch.Tensor, self), *args, **kwargs)

            def cuda(self, *args, **kwargs):
                Batch.moves[0] += 1
                return torch.Tensor.cuda(torch.Tensor._make_subclass(torch.Tensor, self), *args, **kwargs)
        self.loader, self.Batch = loader, Batch

    @property
    def moves(self):
        return self.Batch.moves[0]

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        import torch
        for x, y in self.loader:
            yield torch.Tensor._make_subclass(self.Batch, x), y


def plan_train(aspect, devices):
    """`replay`: every case on the CPU; `mode`: the first case on the last grading device, its
    batches wrapped to record whether they are moved."""
    if aspect == "mode":
        return [(TRAIN_CASES[0], devices[-1])]
    return [(case, "cpu") for case in TRAIN_CASES]


def probe_train(probe, aspect, case, device):
    import torch
    info, got = {}, {}
    try:
        model = tiny_model(case.dtype).to(device)
        model.eval()
        modes, seen_devices = [], set()

        def record(module, inputs):
            modes.append(bool(module.training))
            seen_devices.add(inputs[0].device.type)
        model.register_forward_pre_hook(record)
        loader = tiny_loader(case.dtype, case.batch_size)
        if aspect == "mode":
            loader = _MoveRecorder(loader)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            losses = probe.obj(model, torch.nn.CrossEntropyLoss(), case.epochs, loader, lr=case.lr)
        if aspect == "mode":
            info["moved"] = loader.moves
        info["losses_type"] = type(losses).__name__
        got["losses"] = np.asarray([float(v) for v in losses], dtype=np.float64)
        for name, p in model.named_parameters():
            got[f"param:{name}"] = p.detach().cpu().double().numpy()
        info["modes"] = sorted(set(modes))
        info["calls"] = len(modes)
        info["devices"] = sorted(seen_devices)
        info["model_device"] = device
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    return got, info


@dataclasses.dataclass(frozen=True)
class OptimizerCase:
    """make_optimizers(nn.RNN(2, 3), nn.LSTM(2, 3), lr)."""
    lr: float = 0.05
    hint: Hint = None

    def describe(self):
        return f"nn.RNN(2, 3), nn.LSTM(2, 3), lr={self.lr:g}"


def probe_optimizers(probe, aspect, case, device):
    import torch
    info = {}
    try:
        torch.manual_seed(0)
        rnn, lstm = torch.nn.RNN(2, 3), torch.nn.LSTM(2, 3)
        out = probe.obj(rnn, lstm, case.lr)
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError("make_optimizers must return a tuple (opt_rnn, opt_lstm)")
        owners = {id(p): f"rnn.{n}" for n, p in rnn.named_parameters()}
        owners.update({id(p): f"lstm.{n}" for n, p in lstm.named_parameters()})
        for label, opt in zip(("rnn", "lstm"), out):
            entry = {"type": type(opt).__name__, "is_optimizer": isinstance(opt, torch.optim.Optimizer)}
            if entry["is_optimizer"]:
                entry["params"] = sorted(owners.get(id(p), "other") for g in opt.param_groups for p in g["params"])
                entry["lr"] = sorted({float(g.get("lr", float("nan"))) for g in opt.param_groups})
                entry["momentum"] = sorted({float(g.get("momentum", 0.0) or 0.0) for g in opt.param_groups})
                entry["weight_decay"] = sorted({float(g.get("weight_decay", 0.0) or 0.0) for g in opt.param_groups})
            info[label] = entry
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    return {}, info


# activation_ratio: eps arrays, a 2-D one included (vectorised code keeps the shape)
RATIO_INPUTS = {"line": np.linspace(-0.95, 0.95, 39), "grid": np.linspace(-0.6, 0.6, 12).reshape(3, 4),
                "small": np.array([0.05])}
RATIO_NAMES = ("sigmoid_grad_approx", "tanh_grad_approx", "rho_approx", "rho")


@dataclasses.dataclass(frozen=True)
class RatioCase:
    """`values`: the four functions on every array of RATIO_INPUTS; `interval`: INTERVAL."""
    aspect: str
    hint: Hint = None

    def describe(self):
        return "your answer's functions on arrays of eps" if self.aspect == "values" else "INTERVAL"


def probe_ratio(probe, aspect, case, device):
    info, got = {}, {}
    try:
        if aspect == "values":
            for name in RATIO_NAMES:
                fn = probe.defined(name)
                for key, eps in RATIO_INPUTS.items():
                    with np.errstate(all="ignore"), warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        out = np.asarray(fn(eps.copy()), dtype=np.float64)
                    got[f"{name}:{key}"] = out
        else:
            for name in RATIO_NAMES:      # an unanswered cell: its functions still raise
                probe.defined(name)(np.zeros(1))
            interval = probe.defined("INTERVAL")
            info["interval_type"] = type(interval).__name__
            values = [float(v) for v in interval]
            got["interval"] = np.asarray(values, dtype=np.float64)
    except Exception as err:  # the student's code raised: a verdict
        harness.record_raised(info, err)
    return got, info


PROBES = probes_for(
    TABLE,
    vanilla_rnn=ScratchModelProbe(UNITS["vanilla_rnn"][0]),
    palindrome_lstm=ScratchModelProbe(UNITS["palindrome_lstm"][0]),
    seq_rnn=SequenceModuleProbe(UNITS["seq_rnn"][0]),
    seq_gru=SequenceModuleProbe(UNITS["seq_gru"][0]),
    seq_lstm=SequenceModuleProbe(UNITS["seq_lstm"][0]),
    lstm_param_count=UnitProbe(cases={"values": [CountCase(size) for size in PARAM_COUNT_SIZES]},
                               probe_case=probe_param_count),
    batch_error=UnitProbe(cases={"values": ERROR_CASES}, probe_case=probe_batch_error),
    train_loop=UnitProbe(cases={"replay": TRAIN_CASES, "mode": TRAIN_CASES[:1]}, plan=plan_train,
                         probe_case=probe_train),
    make_optimizers=UnitProbe(cases={"values": [OptimizerCase()]}, probe_case=probe_optimizers),
    activation_ratio=UnitProbe(cases={"values": [RatioCase("values")], "interval": [RatioCase("interval")]},
                               probe_case=probe_ratio),
)


def module_cases(unit, aspect):
    """The cases a module unit's aspect runs on every grading device (its spec's)."""
    return PROBES[unit].cases[aspect]
