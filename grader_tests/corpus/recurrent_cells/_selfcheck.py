#!/usr/bin/env python
"""Self-check for the recurrent_cells answer corpus.

Standalone: execs every corpus file (one answer cell each) in a namespace that
mimics the notebook's given code, compares it against torch.nn references with
copied weights and prints, for every file, whether it matches.

  correct_*  files must match everywhere (float64 within 1e-10);
  wrong_*    files must mismatch or raise for some input within the contract,
             or -- for from-scratch violations -- match while a torch recurrent
             module / fused recurrent function is seen at run time.

Checks: parameter names/shapes, init range (cells), forward values and
gradients vs nn.LSTMCell/nn.GRUCell (cells) or nn.LSTM/GRU/RNN stacks (models;
bidir = two one-direction stacks, the second fed input.flip(1)), hx None and
given (cells), several shapes incl. B=1, T=1, num_layers 1 and 3, float32 and
float64, bias True/False, a second call on the same input (models),
ValueError for an unknown mode (models), and a device check: on CUDA when
available, otherwise a 'meta'-device run as a proxy (code that creates states
on a hard-coded device fails there).  Everything runs under
torch.use_deterministic_algorithms(True), which fills uninitialised memory
(torch.empty / torch.Tensor(n, m)) with NaN.

Usage: python _selfcheck.py [unit ...] [-v]
Exit status 0 iff every file's header verdict is confirmed.
"""
import glob
import math
import os
import random
import re
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
UNITS = ("lstm_cell", "gru_cell", "rnn_model", "bidir_model")
MODES = ("LSTM", "GRU", "RNN_TANH", "RNN_RELU")
TOL = {torch.float64: 1e-10, torch.float32: 2e-5}


# --------------------------------------------------------------------------
# the notebook's given code / reference cells for the namespace
# --------------------------------------------------------------------------
class BasicRNNCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh"):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.nonlinearity = nonlinearity
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError("Invalid nonlinearity selected for RNN.")
        self.x2h = nn.Linear(input_size, hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, hidden_size, bias=bias)
        self.reset_parameters()

    def reset_parameters(self):
        std = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            w.data.uniform_(-std, std)

    def forward(self, input, hx=None):
        if hx is None:
            hx = input.new_zeros(input.size(0), self.hidden_size)
        act = torch.tanh if self.nonlinearity == "tanh" else torch.relu
        return act(self.x2h(input) + self.h2h(hx))


class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.x2h = nn.Linear(input_size, 4 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size, bias=bias)
        self.reset_parameters()

    def reset_parameters(self):
        std = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            w.data.uniform_(-std, std)

    def forward(self, input, hx=None):
        if hx is None:
            z = input.new_zeros(input.size(0), self.hidden_size)
            hx = (z, z)
        h, c = hx
        i, f, g, o = (self.x2h(input) + self.h2h(h)).chunk(4, 1)
        c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c_next), c_next


class GRUCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.x2h = nn.Linear(input_size, 3 * hidden_size, bias=bias)
        self.h2h = nn.Linear(hidden_size, 3 * hidden_size, bias=bias)
        self.reset_parameters()

    def reset_parameters(self):
        std = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            w.data.uniform_(-std, std)

    def forward(self, input, hx=None):
        if hx is None:
            hx = input.new_zeros(input.size(0), self.hidden_size)
        xr, xz, xn = self.x2h(input).chunk(3, 1)
        hr, hz, hn = self.h2h(hx).chunk(3, 1)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        return (1 - z) * n + z * hx


def make_namespace(unit):
    ns = {
        "__name__": "__answer_cell__",
        "math": math, "os": os, "random": random, "np": np,
        "torch": torch, "nn": nn, "F": F,
        "device": torch.device("cuda" if torch.cuda.is_available() else "cpu"),
        "BasicRNNCell": BasicRNNCell,
    }
    if unit in ("rnn_model", "bidir_model"):
        ns["LSTMCell"] = LSTMCell
        ns["GRUCell"] = GRUCell
    return ns


# --------------------------------------------------------------------------
# run-time detection of torch recurrent modules / fused functions
# --------------------------------------------------------------------------
_FUSED = ("lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell",
          "lstm", "gru", "rnn_tanh", "rnn_relu")


class Spy:
    """Records calls of torch.<fused> and torch._VF.<fused> while active."""

    def __init__(self):
        self.seen = set()
        self._saved = []

    def _wrap(self, owner, name, label):
        orig = getattr(owner, name)

        def wrapper(*a, **k):
            self.seen.add(label)
            return orig(*a, **k)
        return wrapper

    def __enter__(self):
        vf = torch._VF
        for name in _FUSED:
            if hasattr(torch, name):
                self._saved.append((torch, name, torch.__dict__.get(name, None)))
                setattr(torch, name, self._wrap(torch, name, "torch." + name))
            self._saved.append((vf, name, vf.__dict__.get(name, None)))
            setattr(vf, name, self._wrap(vf, name, "torch._VF." + name))
        return self

    def __exit__(self, *exc):
        for owner, name, old in reversed(self._saved):
            if old is None:
                try:
                    delattr(owner, name)
                except AttributeError:
                    pass
            else:
                setattr(owner, name, old)
        self._saved = []
        return False


def recurrent_submodules(model):
    return sorted({type(m).__name__ for m in model.modules()
                   if isinstance(m, (nn.RNNCellBase, nn.RNNBase))})


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
class Result:
    def __init__(self):
        self.failures = []       # (category, description)
        self.cases = 0
        self.violations = set()

    def fail(self, cat, desc):
        self.failures.append((cat, desc))


def maxerr(a, b):
    return (a.detach() - b.detach()).abs().max().item() if a.numel() else 0.0


def close(a, b, dtype):
    if a.shape != b.shape:
        return False, "shape %s != %s" % (tuple(a.shape), tuple(b.shape))
    if a.dtype != b.dtype:
        return False, "dtype %s != %s" % (a.dtype, b.dtype)
    if torch.isnan(a).any():
        return False, "NaN in output"
    e = maxerr(a, b)
    return e <= TOL[dtype], "max err %.3g" % e


def names_shapes(model):
    return {n: tuple(p.shape) for n, p in model.named_parameters()}


def run_student(res, fn, *args):
    spy = Spy()
    with spy:
        out = fn(*args)
    res.violations |= spy.seen
    return out


def exc_name(e):
    msg = str(e).splitlines()[0] if str(e) else ""
    return "%s: %s" % (type(e).__name__, msg[:90])


# --------------------------------------------------------------------------
# cells
# --------------------------------------------------------------------------
CELL_SHAPES = [  # (B, I, H)
    (3, 5, 7), (1, 5, 7), (4, 6, 6), (1, 3, 4), (2, 8, 3),
]


def cell_expected(unit, I, H, bias):
    k = 4 if unit == "lstm_cell" else 3
    exp = {"x2h.weight": (k * H, I), "h2h.weight": (k * H, H)}
    if bias:
        exp["x2h.bias"] = (k * H,)
        exp["h2h.bias"] = (k * H,)
    return exp


def cell_ref(unit, student, I, H, bias, dtype, dev):
    ref = (nn.LSTMCell if unit == "lstm_cell" else nn.GRUCell)(I, H, bias=bias)
    ref = ref.to(dtype=dtype, device=dev)
    sp = dict(student.named_parameters())
    with torch.no_grad():
        ref.weight_ih.copy_(sp["x2h.weight"])
        ref.weight_hh.copy_(sp["h2h.weight"])
        if bias:
            ref.bias_ih.copy_(sp["x2h.bias"])
            ref.bias_hh.copy_(sp["h2h.bias"])
    return ref


def split_out(unit, out, B, H):
    """Normalise the student's output to a list of tensors (h[, c])."""
    if unit == "lstm_cell":
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError("LSTMCell must return a tuple (h_next, c_next), got %s" % type(out).__name__)
        return list(out)
    if not torch.is_tensor(out):
        raise TypeError("GRUCell must return a tensor, got %s" % type(out).__name__)
    return [out]


def check_cell(unit, ns, res, dev, dtypes=(torch.float32, torch.float64), steps_modes=("none", "given", "seq")):
    Cls = ns["LSTMCell" if unit == "lstm_cell" else "GRUCell"]
    for (B, I, H) in CELL_SHAPES:
        for bias in (True, False):
            for dtype in dtypes:
                for hxm in steps_modes:
                    desc = "B=%d I=%d H=%d bias=%s %s hx=%s dev=%s" % (
                        B, I, H, bias, str(dtype)[6:], hxm, dev)
                    res.cases += 1
                    torch.manual_seed(1000 + B * 31 + I * 7 + H)
                    try:
                        m = Cls(I, H, bias)
                    except Exception as e:  # noqa: BLE001
                        res.fail("raise", "%s: constructor %s" % (desc, exc_name(e)))
                        continue
                    res.violations |= {"module " + n for n in recurrent_submodules(m)}
                    got = names_shapes(m)
                    exp = cell_expected(unit, I, H, bias)
                    if got != exp:
                        res.fail("params", "%s: parameters %s, expected %s" % (desc, got, exp))
                        continue
                    m = m.to(dtype=dtype, device=dev)
                    ref = cell_ref(unit, m, I, H, bias, dtype, dev)
                    g = torch.Generator().manual_seed(7 + B + I + H)
                    x = torch.randn(B, I, generator=g, dtype=torch.float64).to(dtype=dtype, device=dev)
                    x_ref = x.clone()
                    x.requires_grad_(dtype == torch.float64)
                    x_ref.requires_grad_(dtype == torch.float64)
                    hx = None
                    if hxm == "given":
                        h = torch.randn(B, H, generator=g, dtype=torch.float64).to(dtype=dtype, device=dev)
                        c = torch.randn(B, H, generator=g, dtype=torch.float64).to(dtype=dtype, device=dev)
                        hx = (h, c) if unit == "lstm_cell" else h
                    n_steps = 4 if hxm == "seq" else 1
                    try:
                        st, outs = hx, None
                        for _ in range(n_steps):
                            out = run_student(res, m, x, st)
                            outs = split_out(unit, out, B, H)
                            st = tuple(outs) if unit == "lstm_cell" else outs[0]
                    except Exception as e:  # noqa: BLE001
                        res.fail("raise", "%s: %s" % (desc, exc_name(e)))
                        continue
                    rst = hx
                    for _ in range(n_steps):
                        rout = ref(x_ref, rst)
                        rst = rout
                    routs = list(rout) if unit == "lstm_cell" else [rout]
                    bad = None
                    for k, (a, b) in enumerate(zip(outs, routs)):
                        ok, why = close(a, b, dtype)
                        if not ok:
                            bad = "%s: output[%d] %s" % (desc, k, why)
                            break
                    if bad:
                        res.fail("value", bad)
                        continue
                    if dtype == torch.float64:
                        # gradients w.r.t. parameters and input
                        w = [torch.randn(o.shape, generator=g, dtype=torch.float64).to(dev) for o in routs]
                        sum((o * wi).sum() for o, wi in zip(outs, w)).backward()
                        sum((o * wi).sum() for o, wi in zip(routs, w)).backward()
                        sp = dict(m.named_parameters())
                        pairs = [("x2h.weight", ref.weight_ih), ("h2h.weight", ref.weight_hh)]
                        if bias:
                            pairs += [("x2h.bias", ref.bias_ih), ("h2h.bias", ref.bias_hh)]
                        for n, rp in pairs:
                            if sp[n].grad is None or maxerr(sp[n].grad, rp.grad) > 1e-9:
                                res.fail("grad", "%s: gradient of %s differs" % (desc, n))
                                bad = True
                                break
                        if not bad and (x.grad is None or maxerr(x.grad, x_ref.grad) > 1e-9):
                            res.fail("grad", "%s: gradient w.r.t. input differs" % desc)


def check_cell_init(unit, ns, res):
    Cls = ns["LSTMCell" if unit == "lstm_cell" else "GRUCell"]
    for (I, H) in ((4, 32), (64, 32), (10, 10)):
        res.cases += 1
        torch.manual_seed(5 + I + H)
        try:
            m = Cls(I, H)
        except Exception as e:  # noqa: BLE001
            res.fail("raise", "init I=%d H=%d: constructor %s" % (I, H, exc_name(e)))
            continue
        bound = 1.0 / math.sqrt(H)
        for n, p in m.named_parameters():
            a = p.detach().abs().max().item()
            if a > bound * (1 + 1e-6) or a < 0.85 * bound:
                res.fail("init", "init I=%d H=%d: max|%s| = %.4f, expected uniform(+-%.4f)" % (I, H, n, a, bound))
                break


def check_meta_device(unit, ns, res, make_and_run):
    """Proxy for 'works on any device': everything on the meta device."""
    res.cases += 1
    try:
        make_and_run(torch.device("meta"))
    except Exception as e:  # noqa: BLE001
        res.fail("device", "meta-device run (CUDA proxy): %s" % exc_name(e))


def cell_meta(unit, ns, res):
    Cls = ns["LSTMCell" if unit == "lstm_cell" else "GRUCell"]

    def go(dev):
        m = Cls(5, 4).to(dev)
        x = torch.randn(3, 5, device=dev)
        outs = split_out(unit, m(x), 3, 4)
        for o in outs:
            if o.device.type != dev.type or tuple(o.shape) != (3, 4):
                raise RuntimeError("output on %s shape %s" % (o.device, tuple(o.shape)))
    check_meta_device(unit, ns, res, go)


# --------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------
MODEL_SHAPES = [  # (B, T, I, H, L, O)
    (3, 5, 4, 6, 1, 3), (1, 4, 4, 6, 3, 2), (2, 1, 5, 3, 3, 4),
    (1, 1, 3, 3, 2, 2), (4, 6, 7, 5, 3, 3), (2, 3, 5, 5, 2, 2),
]


def model_expected(unit, mode, I, H, L, O, bias):
    k = {"LSTM": 4, "GRU": 3}.get(mode, 1)
    exp = {}
    lists = ["rnn_cell_list"] + (["rnn_cell_list_rev"] if unit == "bidir_model" else [])
    for lst in lists:
        for l in range(L):
            n_in = I if l == 0 else H
            exp["%s.%d.x2h.weight" % (lst, l)] = (k * H, n_in)
            exp["%s.%d.h2h.weight" % (lst, l)] = (k * H, H)
            if bias:
                exp["%s.%d.x2h.bias" % (lst, l)] = (k * H,)
                exp["%s.%d.h2h.bias" % (lst, l)] = (k * H,)
    d = 2 if unit == "bidir_model" else 1
    exp["fc.weight"] = (O, d * H)
    exp["fc.bias"] = (O,)
    return exp


def torch_stack(mode, I, H, L, bias, params, prefix, dtype, dev):
    if mode == "LSTM":
        ref = nn.LSTM(I, H, L, bias=bias, batch_first=True)
    elif mode == "GRU":
        ref = nn.GRU(I, H, L, bias=bias, batch_first=True)
    else:
        ref = nn.RNN(I, H, L, bias=bias, batch_first=True,
                     nonlinearity="tanh" if mode == "RNN_TANH" else "relu")
    ref = ref.to(dtype=dtype, device=dev)
    with torch.no_grad():
        for l in range(L):
            getattr(ref, "weight_ih_l%d" % l).copy_(params["%s.%d.x2h.weight" % (prefix, l)])
            getattr(ref, "weight_hh_l%d" % l).copy_(params["%s.%d.h2h.weight" % (prefix, l)])
            if bias:
                getattr(ref, "bias_ih_l%d" % l).copy_(params["%s.%d.x2h.bias" % (prefix, l)])
                getattr(ref, "bias_hh_l%d" % l).copy_(params["%s.%d.h2h.bias" % (prefix, l)])
    return ref


def model_reference(unit, mode, I, H, L, bias, params, x):
    dtype, dev = x.dtype, x.device
    with torch.no_grad():
        fwd = torch_stack(mode, I, H, L, bias, params, "rnn_cell_list", dtype, dev)
        top = fwd(x)[0][:, -1]
        if unit == "bidir_model":
            bwd = torch_stack(mode, I, H, L, bias, params, "rnn_cell_list_rev", dtype, dev)
            top = torch.cat([top, bwd(x.flip(1))[0][:, -1]], dim=1)
        return F.linear(top, params["fc.weight"], params["fc.bias"])


def model_grad_error(unit, mode, I, H, L, bias, m, params, x, res):
    dtype, dev = x.dtype, x.device
    xs = x.clone().requires_grad_(True)
    xr = x.clone().requires_grad_(True)
    m.zero_grad()
    out = run_student(res, m, xs)
    w = torch.randn(out.shape, generator=torch.Generator().manual_seed(3), dtype=torch.float64).to(dev)
    (out * w).sum().backward()
    stacks = [("rnn_cell_list", torch_stack(mode, I, H, L, bias, params, "rnn_cell_list", dtype, dev), xr)]
    if unit == "bidir_model":
        stacks.append(("rnn_cell_list_rev",
                       torch_stack(mode, I, H, L, bias, params, "rnn_cell_list_rev", dtype, dev), None))
    fc_w = params["fc.weight"].detach().clone().requires_grad_(True)
    fc_b = params["fc.bias"].detach().clone().requires_grad_(True)
    tops = []
    for prefix, mod, _ in stacks:
        inp = xr if prefix == "rnn_cell_list" else xr.flip(1)
        tops.append(mod(inp)[0][:, -1])
    (F.linear(torch.cat(tops, 1), fc_w, fc_b) * w).sum().backward()
    pairs = [("fc.weight", fc_w.grad), ("fc.bias", fc_b.grad)]
    for prefix, mod, _ in stacks:
        for l in range(L):
            pairs.append(("%s.%d.x2h.weight" % (prefix, l), getattr(mod, "weight_ih_l%d" % l).grad))
            pairs.append(("%s.%d.h2h.weight" % (prefix, l), getattr(mod, "weight_hh_l%d" % l).grad))
            if bias:
                pairs.append(("%s.%d.x2h.bias" % (prefix, l), getattr(mod, "bias_ih_l%d" % l).grad))
                pairs.append(("%s.%d.h2h.bias" % (prefix, l), getattr(mod, "bias_hh_l%d" % l).grad))
    for n, rg in pairs:
        sg = params[n].grad
        if sg is None or maxerr(sg, rg) > 1e-9:
            return "gradient of %s differs" % n
    if xs.grad is None or maxerr(xs.grad, xr.grad) > 1e-9:
        return "gradient w.r.t. input differs"
    return None


def check_model(unit, ns, res, dev, dtypes=(torch.float32, torch.float64)):
    Cls = ns["RNNModel" if unit == "rnn_model" else "BidirRecurrentModel"]
    for mode in MODES:
        for (B, T, I, H, L, O) in MODEL_SHAPES:
            for bias in (True, False):
                for dtype in dtypes:
                    desc = "%s B=%d T=%d I=%d H=%d L=%d O=%d bias=%s %s dev=%s" % (
                        mode, B, T, I, H, L, O, bias, str(dtype)[6:], dev)
                    res.cases += 1
                    torch.manual_seed(2000 + B * 131 + T * 17 + I * 5 + L)
                    try:
                        m = Cls(mode, I, H, L, bias, O)
                    except Exception as e:  # noqa: BLE001
                        res.fail("raise", "%s: constructor %s" % (desc, exc_name(e)))
                        continue
                    res.violations |= {"module " + n for n in recurrent_submodules(m)}
                    got = names_shapes(m)
                    exp = model_expected(unit, mode, I, H, L, O, bias)
                    missing = {n: s for n, s in exp.items() if got.get(n) != s}
                    extra = [n for n in got if n not in exp and
                             n.split(".")[0] in ("rnn_cell_list", "rnn_cell_list_rev", "fc")]
                    if missing or extra:
                        res.fail("params", "%s: parameter names/shapes: missing/wrong %s, unexpected %s" % (
                            desc, sorted(missing), extra))
                        continue
                    m = m.to(dtype=dtype, device=dev)
                    params = dict(m.named_parameters())
                    g = torch.Generator().manual_seed(11 + B + T + I)
                    x = torch.randn(B, T, I, generator=g, dtype=torch.float64).to(dtype=dtype, device=dev)
                    ref = model_reference(unit, mode, I, H, L, bias, params, x)
                    bad = None
                    for call in (1, 2):
                        try:
                            out = run_student(res, m, x.clone())
                        except Exception as e:  # noqa: BLE001
                            bad = ("raise", "%s call %d: %s" % (desc, call, exc_name(e)))
                            break
                        if not torch.is_tensor(out):
                            bad = ("value", "%s call %d: returned %s" % (desc, call, type(out).__name__))
                            break
                        ok, why = close(out, ref, dtype)
                        if not ok:
                            bad = ("value" if call == 1 else "second-call",
                                   "%s call %d: %s" % (desc, call, why))
                            break
                    if bad:
                        res.fail(*bad)
                        continue
                    if dtype == torch.float64 and T > 1:
                        # gradients through the student's model vs the torch stacks
                        gerr = model_grad_error(unit, mode, I, H, L, bias, m, params, x, res)
                        if gerr is not None:
                            res.fail("grad", "%s: %s" % (desc, gerr))
    # unknown mode must raise ValueError
    for bad_mode in ("BOGUS", "lstm"):
        res.cases += 1
        try:
            Cls(bad_mode, 4, 3, 2, True, 2)
        except ValueError:
            continue
        except Exception as e:  # noqa: BLE001
            res.fail("valueerror", "mode=%r raised %s instead of ValueError" % (bad_mode, type(e).__name__))
            continue
        res.fail("valueerror", "mode=%r did not raise ValueError" % bad_mode)


def model_meta(unit, ns, res):
    Cls = ns["RNNModel" if unit == "rnn_model" else "BidirRecurrentModel"]

    def go(dev):
        for mode in MODES:
            m = Cls(mode, 4, 3, 2, True, 2).to(dev)
            out = m(torch.randn(2, 3, 4, device=dev))
            if out.device.type != dev.type or tuple(out.shape) != (2, 2):
                raise RuntimeError("%s: output on %s shape %s" % (mode, out.device, tuple(out.shape)))
    check_meta_device(unit, ns, res, go)


# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------
HEADER = re.compile(r"\A# corpus: (\S+)\n# verdict: (wrong|correct)\n# bug: (.+)\n")


def check_file(unit, path):
    src = open(path).read()
    mh = HEADER.match(src)
    if not mh or mh.group(1) != unit:
        return None, "bad header", Result()
    verdict = mh.group(2)
    res = Result()
    ns = make_namespace(unit)
    try:
        exec(compile(src, path, "exec"), ns)
    except Exception as e:  # noqa: BLE001
        res.fail("exec", "exec failed: %s" % exc_name(e))
        return verdict, "EXEC-ERROR", res
    cuda = torch.cuda.is_available()
    if unit in ("lstm_cell", "gru_cell"):
        check_cell_init(unit, ns, res)
        check_cell(unit, ns, res, torch.device("cpu"))
        if cuda:
            check_cell(unit, ns, res, torch.device("cuda"), dtypes=(torch.float64,), steps_modes=("none", "seq"))
        else:
            cell_meta(unit, ns, res)
    else:
        check_model(unit, ns, res, torch.device("cpu"))
        if cuda:
            check_model(unit, ns, res, torch.device("cuda"), dtypes=(torch.float64,))
        else:
            model_meta(unit, ns, res)
    if res.failures:
        status = "MISMATCH"
    elif res.violations:
        status = "MATCH+VIOLATION"
    else:
        status = "MATCH"
    return verdict, status, res


def main(argv):
    verbose = "-v" in argv
    units = [a for a in argv if a in UNITS] or list(UNITS)
    torch.set_num_threads(1)  # tiny tensors: threading only adds overhead
    torch.use_deterministic_algorithms(True)
    torch.utils.deterministic.fill_uninitialized_memory = True
    print("torch %s, CUDA available: %s (%s)" % (
        torch.__version__, torch.cuda.is_available(),
        "device checks on CUDA" if torch.cuda.is_available() else "device check via the meta device"))
    n_bad = 0
    rows = []
    for unit in units:
        files = sorted(glob.glob(os.path.join(HERE, unit, "*.py")))
        print("\n=== %s (%d files) ===" % (unit, len(files)))
        for path in files:
            name = os.path.basename(path)
            verdict, status, res = check_file(unit, path)
            if verdict == "correct":
                confirmed = status == "MATCH"
            elif verdict == "wrong":
                confirmed = status in ("MISMATCH", "MATCH+VIOLATION", "EXEC-ERROR")
            else:
                confirmed = False
            n_bad += not confirmed
            cats = {}
            for cat, d in res.failures:
                cats.setdefault(cat, []).append(d)
            summary = ", ".join("%s:%d" % (c, len(v)) for c, v in sorted(cats.items()))
            line = "%-40s %-8s %-16s %s  fails %d/%d %s" % (
                name, verdict, status, "CONFIRMED" if confirmed else "NOT CONFIRMED",
                len(res.failures), res.cases, ("[" + summary + "]") if summary else "")
            if res.violations:
                line += "  from-scratch violation seen: %s" % ", ".join(sorted(res.violations))
            print(line)
            shown = 0
            for cat, ds in sorted(cats.items()):
                for d in ds[: (None if verbose else 1)]:
                    print("      - [%s] %s" % (cat, d))
                    shown += 1
            rows.append((unit, name, verdict, status, confirmed))
    print("\n%d file(s), %d not confirmed" % (len(rows), n_bad))
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
