"""How do the vanilla RNN, the LSTM and the GRU fare on the human-activity stand-in? (CPU, seconds)

    python tools/measure_activity_standin.py                       # short schedule: 1500 windows, 6 epochs
    python tools/measure_activity_standin.py --train 600 --epochs 4   # the first plan (too short)
    python tools/measure_activity_standin.py --seeds 0 1 --raw     # also without standardising
    python tools/measure_activity_standin.py --train 3000 --hidden 64 --epochs 30 --patience 4 --seeds 0

Makes the stand-in in memory (the windows `python -m data.human_activity build` writes), takes
the first ``--train`` training windows, optionally standardises every axis with the mean and
standard deviation of those windows (as the notebook's given code does; ``--raw`` also runs
without), and trains the three reference models of `reference/bptt_from_scratch.py` with
`train_recurrent` (mini-batch SGD with momentum, early stopping on 10% held out), parameters
from `init_params` of `handouts/bptt_helpers.py`. Prints each model's test accuracy on the 600
test windows, its epochs and its wall time, then the mean per model. The stand-in is meant to
keep the gated models (LSTM, GRU) clearly ahead of the vanilla RNN, and sitting/standing
(posture) easier than the four gait classes.

Measured (numpy, one thread, this course's 2-core CPU; test accuracy, mean of seeds 0-2, H=24,
batch 32, lr 0.1, momentum 0.85, standardised inputs; time = the three trainings together):

    600 windows, 4 epochs     RNN 0.42  LSTM 0.55  GRU 0.66   2.2 s
    1500 windows, 6 epochs    RNN 0.41  LSTM 0.71  GRU 0.91   7.8 s
    3000 windows, 4 epochs    RNN 0.46  LSTM 0.77  GRU 0.89  10.4 s
    1500 windows, 6 epochs, raw inputs (seeds 0-1): RNN 0.38  LSTM 0.49  GRU 0.71
    full: 3000, H=64, <= 8 epochs, patience 4 (seed 0): RNN 0.32 (stopped at 5)  LSTM 0.93  GRU 0.985  46 s

Posture classes reach ~1.0 for the gated models; the vanilla RNN's loss rises again after a few
epochs at lr 0.1 (exploding gradients through 150 steps) and it confuses the gait classes.
"""
import argparse
import os
import pathlib
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")       # small matrices: threads only cost time

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data import human_activity  # noqa: E402
from handouts.bptt_helpers import init_params  # noqa: E402
from reference import bptt_from_scratch as ref  # noqa: E402

MODELS = ("rnn", "lstm", "gru")


def standardise(train, *others):
    mean = train.mean(axis=(0, 1))
    std = train.std(axis=(0, 1))
    return [(x - mean) / std for x in (train, *others)]


def per_class(probs, Y):
    pred, true = probs.argmax(1), Y.argmax(1)
    return [float(np.mean(pred[true == k] == k)) for k in range(Y.shape[1])]


def run(X, Y, Xt, Yt, args, seed):
    rows = {}
    for model in MODELS:
        params = init_params(model, X.shape[2], args.hidden, Y.shape[1], np.random.default_rng(seed))
        forward, backward = getattr(ref, f"{model}_forward"), getattr(ref, f"{model}_backward")
        t = time.time()
        params, history = ref.train_recurrent(forward, backward, params, X, Y, args.lr, args.momentum,
                                              args.batch, args.epochs, np.random.default_rng(seed + 100),
                                              val_fraction=0.1, patience=args.patience)
        seconds = time.time() - t
        probs, _ = forward(Xt, params)
        rows[model] = (float(np.mean(probs.argmax(1) == Yt.argmax(1))), len(history["val_loss"]),
                       seconds, per_class(probs, Yt))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=int, default=1500, help="first N training windows")
    parser.add_argument("--hidden", type=int, default=24)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--momentum", type=float, default=0.85)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--raw", action="store_true", help="also train on unstandardised inputs")
    parser.add_argument("--data-seed", type=int, default=human_activity.SEED)
    parser.add_argument("--per-class", action="store_true", help="print per-class test accuracy")
    args = parser.parse_args(argv)

    t = time.time()
    trX, trY, tstX, tstY = (a.astype(np.float64) for a in human_activity.make_standin(seed=args.data_seed))
    print(f"stand-in made in {time.time() - t:.1f} s; first {args.train} training windows, "
          f"H={args.hidden}, batch {args.batch}, lr {args.lr}, momentum {args.momentum}, "
          f"max {args.epochs} epochs, patience {args.patience}", flush=True)
    X, Y = trX[:args.train], trY[:args.train]
    variants = [("standardised", standardise(X, tstX))] + ([("raw", [X, tstX])] if args.raw else [])
    for name, (Xs, Xts) in variants:
        results = {m: [] for m in MODELS}
        for seed in args.seeds:
            rows = run(Xs, Y, Xts, tstY, args, seed)
            print(f"{name:>12} seed {seed}: " + "  ".join(
                f"{m} {acc:.3f} ({ep} ep, {sec:.1f} s)" for m, (acc, ep, sec, _) in rows.items())
                + f"  total {sum(r[2] for r in rows.values()):.1f} s", flush=True)
            if args.per_class:
                for m, row in rows.items():
                    print(f"{'':>12} {m:>4} per class: " + " ".join(
                        f"{a[:4]} {acc:.2f}" for a, acc in zip(human_activity.ACTIVITIES, row[3])))
            for m in MODELS:
                results[m].append(rows[m][0])
        print(f"{name:>12} mean:   " + "  ".join(
            f"{m} {np.mean(results[m]):.3f}" for m in MODELS), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
