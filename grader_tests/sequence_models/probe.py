"""The probe half of the `sequence_models` checks: runs student code, returns plain data.

Copied into the grading sandbox (grader_tests/framework/pipeline/grading.py): it must not import
`reference` or hold anything that gives an answer away. The torch modules go through the
framework's generic module kind (values and autograd gradients with parameters shared by name);
a shapes-only pass on torch's `meta` device catches tensors created on a fixed device. The
training loop runs on a tiny model and loader the probe builds, recording every forward call.
"""
import dataclasses
import warnings

import numpy as np

from grader_tests.framework.sandboxed import harness, kinds
from grader_tests.sequence_models.units import TABLE

UNITS = {u.id: u.defines for u in TABLE.code_units}


def _case(seed, args, shape, dtype="float64", hint=""):
    return kinds.ModuleCase(seed, args, (("x", shape),), dtype, hint)


# From-scratch models: (seq_length, input_dim, num_hidden, num_classes); (B, T) or (B, T, D) inputs.
SCRATCH_CASES = [
    _case(1, (5, 1, 6, 10), (4, 5)),
    _case(2, (4, 3, 5, 4), (3, 4, 3)),
    _case(3, (6, 1, 4, 10), (1, 6), hint="It fails only for batch size 1: keep the batch axis (no .squeeze())."),
    _case(4, (1, 2, 3, 5), (5, 1, 2), hint="It fails only for T = 1: loop over x.shape[1]."),
    _case(5, (7, 2, 8, 3), (6, 7, 2), dtype="float32"),
    _case(6, (9, 1, 5, 10), (3, 6), hint="It fails when T differs from seq_length: loop over x.shape[1]."),
]
SCRATCH_BACKWARD = SCRATCH_CASES[:3]
SCRATCH_STRUCTURE_ARGS = (10, 100, 200, 50)       # weights large enough to test the uniform range
# Sequence modules: (input_size, hidden_size, num_classes); (B, T, input_size) inputs.
SEQ_CASES = [
    _case(11, (8, 12, 10), (5, 8, 8)),
    _case(12, (3, 4, 2), (1, 6, 3), hint="It fails only for batch size 1: keep the batch axis (no .squeeze())."),
    _case(13, (5, 7, 3), (4, 1, 5)),
    _case(14, (8, 16, 10), (6, 8, 8), dtype="float32"),
]
SEQ_HIDDEN = [((8, 12, 10), 5, "float64"), ((3, 4, 2), 1, "float32")]


def module_cases(unit, aspect):
    if unit in ("vanilla_rnn", "palindrome_lstm"):
        return SCRATCH_BACKWARD if aspect == "backward" else SCRATCH_CASES
    return SEQ_CASES


def meta_cases(unit):
    """Shapes-only cases run on torch's meta device (after the real devices): the from-scratch
    models (the seq_* modules' own device handling is init_hidden's, checked by 'hidden')."""
    if unit not in ("vanilla_rnn", "palindrome_lstm"):
        return []
    return [module_cases(unit, "forward")[0], module_cases(unit, "forward")[2]]


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
    except NotImplementedError as err:
        info["error"] = "NotImplementedError" if not str(err) else harness.describe_exception(err)
    except Exception as err:
        info["error"] = harness.describe_exception(err)
    return info


def probe_scratch_structure(cls):
    import torch
    info, got = {}, {}
    try:
        torch.manual_seed(7)
        module = cls(*SCRATCH_STRUCTURE_ARGS)
        info["param_order"] = [n for n, _ in module.named_parameters()]
        for name, p in module.named_parameters():
            got[f"param:{name}"] = p.detach().cpu().double().numpy()
    except NotImplementedError:
        info["error"] = "NotImplementedError"
    except Exception as err:
        info["error"] = harness.describe_exception(err)
    return info, got


def probe_hidden(cls):
    """init_hidden on each device/dtype: shape, dtype, device of what it returns."""
    import torch
    infos = []
    for args, batch, dtype in SEQ_HIDDEN:
        for device in ("cpu", "meta"):
            info = {"args": list(args), "batch": batch, "dtype": dtype, "device": device}
            try:
                torch.manual_seed(3)
                module = cls(*args).to(device=device, dtype=getattr(torch, dtype))
                hidden = module.init_hidden(batch)
                parts = hidden if isinstance(hidden, (tuple, list)) else [hidden]
                info["kind"] = type(hidden).__name__
                info["parts"] = [{"shape": _shape_of(t), "dtype": str(t.dtype).replace("torch.", ""),
                                  "device": t.device.type, "zero": bool(device == "meta" or not t.any())}
                                 if isinstance(t, torch.Tensor) else {"type": type(t).__name__} for t in parts]
            except NotImplementedError:
                info["error"] = "NotImplementedError"
            except Exception as err:
                info["error"] = harness.describe_exception(err)
            infos.append(info)
    return infos


def _forward_once(cls):
    """One forward pass on the CPU, so that the rules monitor sees which torch modules the unit
    uses even when only init_hidden is checked (its failures are the forward test's business)."""
    import torch
    try:
        torch.manual_seed(0)
        case = SEQ_CASES[0]
        cls(*case.args).double()(case.tensors("cpu")["x"])
    except Exception:  # judged by the forward aspect
        pass


def run_module_unit(unit, cls, aspects, devices):
    infos, arrays = {}, {}
    for aspect in aspects:
        if aspect == "structure":
            info, got = probe_scratch_structure(cls)
            infos[aspect] = [info]
            arrays.update(harness.keyed(aspect, 0, got))
        elif aspect == "hidden":
            infos[aspect] = probe_hidden(cls)
            _forward_once(cls)
        else:
            more_infos, more = kinds.run_module_probes(cls, {aspect: module_cases(unit, aspect)}, [aspect], devices)
            infos.update(more_infos)
            arrays.update(more)
            if aspect == "forward":
                infos[aspect] += [probe_meta(cls, case) for case in meta_cases(unit)]
    return infos, arrays


# ---------------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------------

PARAM_COUNT_SIZES = [(1, 128, 10), (10, 20, 5), (3, 1, 2), (28, 64, 10), (1, 1, 1), (7, 33, 4)]


@dataclasses.dataclass(frozen=True)
class ErrorCase:
    seed: int
    B: int
    K: int
    ties: bool = False
    hint: str = ""

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


ERROR_CASES = [ErrorCase(1, 16, 10), ErrorCase(2, 1, 4, hint="It fails for a batch of one: keep the batch axis."),
               ErrorCase(3, 9, 3, ties=True, hint="With ties the first maximum counts (as argmax)."),
               ErrorCase(4, 7, 2), ErrorCase(5, 1, 10, hint="It fails for a batch of one: keep the batch axis.")]


def probe_param_count(fn):
    infos, arrays = [], {}
    for k, size in enumerate(PARAM_COUNT_SIZES):
        info = {}
        try:
            value = fn(*size)
            info["type"] = type(value).__name__
            info["value"] = int(value) if isinstance(value, (int, np.integer)) or (
                hasattr(value, "item") and float(value.item()).is_integer()) else repr(value)
        except NotImplementedError:
            info["error"] = "NotImplementedError"
        except Exception as err:
            info["error"] = harness.describe_exception(err)
        infos.append(info)
    return {"values": infos}, arrays


def probe_batch_error(fn):
    infos = []
    for case in ERROR_CASES:
        info = {}
        outputs, labels = case.inputs()
        try:
            value = fn(outputs.clone(), labels.clone())
            info["type"] = type(value).__name__
            info["value"] = float(value) if np.ndim(np.asarray(value.detach() if hasattr(value, "detach") else value)) == 0 else None
        except NotImplementedError:
            info["error"] = "NotImplementedError"
        except Exception as err:
            info["error"] = harness.describe_exception(err)
        infos.append(info)
    return {"values": infos}, {}


# The training loop: a tiny deterministic model and loader.
TRAIN_CASES = [("float64", 3, 0.05, 8), ("float64", 2, 0.01, 5)]   # (dtype, epochs, lr, batch size)


def tiny_model(dtype):
    import torch
    torch.manual_seed(42)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3))
    return model.to(getattr(torch, dtype))


def tiny_loader(dtype, batch_size):
    import torch
    gen = torch.Generator().manual_seed(7)
    X = torch.randn(22, 3, 2, generator=gen, dtype=getattr(torch, dtype))
    y = torch.randint(0, 3, (22,), generator=gen)
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


def probe_train(fn, aspect, devices):
    import torch
    infos, arrays = [], {}
    cases = TRAIN_CASES if aspect == "replay" else TRAIN_CASES[:1]
    for k, (dtype, epochs, lr, batch_size) in enumerate(cases):
        info, got = {}, {}
        device = devices[-1] if aspect == "mode" else "cpu"
        try:
            model = tiny_model(dtype).to(device)
            model.eval()
            modes, seen_devices = [], set()

            def record(module, inputs):
                modes.append(bool(module.training))
                seen_devices.add(inputs[0].device.type)
            model.register_forward_pre_hook(record)
            loader = tiny_loader(dtype, batch_size)
            if aspect == "mode":
                loader = _MoveRecorder(loader)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                losses = fn(model, torch.nn.CrossEntropyLoss(), epochs, loader, lr=lr)
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
        except NotImplementedError:
            info["error"] = "NotImplementedError"
        except Exception as err:
            info["error"] = harness.describe_exception(err)
        infos.append(info)
        arrays.update(harness.keyed(aspect, k, got))
    return {aspect: infos}, arrays


def probe_optimizers(fn):
    import torch
    info = {}
    try:
        torch.manual_seed(0)
        rnn, lstm = torch.nn.RNN(2, 3), torch.nn.LSTM(2, 3)
        out = fn(rnn, lstm, 0.05)
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
    except NotImplementedError:
        info["error"] = "NotImplementedError"
    except Exception as err:
        info["error"] = harness.describe_exception(err)
    return {"values": [info]}, {}


# activation_ratio: eps arrays, a 2-D one included (vectorised code keeps the shape)
RATIO_INPUTS = {"line": np.linspace(-0.95, 0.95, 39), "grid": np.linspace(-0.6, 0.6, 12).reshape(3, 4),
                "small": np.array([0.05])}
RATIO_NAMES = ("sigmoid_grad_approx", "tanh_grad_approx", "rho_approx", "rho")


def probe_ratio(scope, aspect):
    info, got = {}, {}
    try:
        if aspect == "values":
            for name in RATIO_NAMES:
                fn = scope.get(name)
                for key, eps in RATIO_INPUTS.items():
                    with np.errstate(all="ignore"), warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        out = np.asarray(fn(eps.copy()), dtype=np.float64)
                    got[f"{name}:{key}"] = out
        else:
            for name in RATIO_NAMES:      # an unanswered cell: its functions still raise
                scope.get(name)(np.zeros(1))
            interval = scope.get("INTERVAL")
            info["interval_type"] = type(interval).__name__
            values = [float(v) for v in interval]
            got["interval"] = np.asarray(values, dtype=np.float64)
    except NotImplementedError:
        info["error"] = "NotImplementedError"
    except Exception as err:
        info["error"] = harness.describe_exception(err)
    return {aspect: [info]}, harness.keyed(aspect, 0, got)


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------

def run_probes(unit, obj, aspects, devices=None):
    devices = list(devices or ["cpu"])
    if unit in ("vanilla_rnn", "palindrome_lstm", "seq_rnn", "seq_gru", "seq_lstm"):
        return run_module_unit(unit, obj, aspects, devices)
    if unit == "activation_ratio":
        infos, arrays = {}, {}
        for aspect in aspects:
            more_infos, more = probe_ratio(obj, aspect)
            infos.update(more_infos)
            arrays.update(more)
        return infos, arrays
    if not callable(obj):
        return {a: [{"error": f"{UNITS[unit][0]} is not a function"}] for a in aspects}, {}
    if unit == "lstm_param_count":
        return probe_param_count(obj)
    if unit == "batch_error":
        return probe_batch_error(obj)
    if unit == "make_optimizers":
        return probe_optimizers(obj)
    if unit == "train_loop":
        infos, arrays = {}, {}
        for aspect in aspects:
            more_infos, more = probe_train(obj, aspect, devices)
            infos.update(more_infos)
            arrays.update(more)
        return infos, arrays
    raise KeyError(unit)
