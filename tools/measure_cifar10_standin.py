"""How hard is the CIFAR-10 stand-in? Linear classifier versus a small ConvNet (CPU, ~1.5 minutes).

    python tools/measure_cifar10_standin.py            # the stand-in as data/cifar10.py renders it
    python tools/measure_cifar10_standin.py --epochs 8 --threads 2

Renders the stand-in in memory (the same batches `python -m data.cifar10 build` writes), then
prints the test accuracy of

* a linear softmax classifier (scikit-learn LogisticRegression, lbfgs) on the raw pixels scaled
  to [0, 1] and centred, for a few regularisation strengths (the best is an upper bound on
  what a linear model on pixels reaches);
* a small ConvNet (conv 3->32 5x5, ReLU, max-pool 2; conv 32->64 3x3, ReLU, max-pool 2;
  linear 4096->10) trained with Adam (lr 1e-3, batch 64) for a few epochs;

and, with ``--heldout N``, both models' accuracy on N images rendered from the held-out digit
pool (as the grader does). The stand-in is meant to keep the ConvNet clearly ahead of the
linear model. Measured (scikit-learn 1.9.1, torch 2.13 CPU, one thread): linear 30-31% (best C
0.003-0.01; 29-30% on held-out digits), ConvNet 88% after 5-6 epochs, 90% after 8 (85% held-out).
"""
import argparse
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data import cifar10  # noqa: E402


def standin():
    batches = cifar10.make_standin()
    parts = [cifar10.parse_batch(batches[name]) for name in cifar10.TRAIN_BATCHES]
    X_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    X_test, y_test = cifar10.parse_batch(batches[cifar10.TEST_BATCH])
    return X_train, y_train, X_test, y_test


def linear(X_train, y_train, tests, Cs):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    mean = (X_train / 255.0).mean(axis=0)
    flat = lambda X: (X / 255.0 - mean).reshape(len(X), -1)  # noqa: E731
    results = {}
    for C in Cs:
        t = time.time()
        model = LogisticRegression(C=C, max_iter=300).fit(flat(X_train), y_train)
        accs = [float((model.predict(flat(X)) == y).mean()) for X, y in tests]
        results[C] = accs
        print(f"linear softmax C={C:g}: test accuracy " + ", ".join(f"{a:.3f}" for a in accs)
              + f"  ({time.time() - t:.0f} s)", flush=True)
    return results


def convnet(X_train, y_train, tests, epochs, seed=0):
    import torch
    from torch import nn

    torch.manual_seed(seed)
    mean = X_train.mean(axis=(0, 2, 3), keepdims=True) / 255.0
    std = X_train.std(axis=(0, 2, 3), keepdims=True) / 255.0
    tensor = lambda X: torch.tensor((X / 255.0 - mean) / std, dtype=torch.float32)  # noqa: E731
    model = nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 8 * 8, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = tensor(X_train), torch.tensor(y_train)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        t = time.time()
        model.train()
        for idx in torch.randperm(len(xt), generator=gen).split(64):
            opt.zero_grad()
            nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            accs = [float((model(tensor(X)).argmax(1).numpy() == y).mean()) for X, y in tests]
        print(f"convnet epoch {epoch + 1}: test accuracy " + ", ".join(f"{a:.3f}" for a in accs)
              + f"  ({time.time() - t:.0f} s)", flush=True)
    return accs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--C", type=float, nargs="+", default=[0.001, 0.003, 0.01])
    parser.add_argument("--heldout", type=int, default=0,
                        help="also test on N images rendered from the held-out digits")
    parser.add_argument("--skip-linear", action="store_true")
    parser.add_argument("--skip-convnet", action="store_true")
    args = parser.parse_args(argv)

    import torch
    torch.set_num_threads(args.threads)
    t = time.time()
    X_train, y_train, X_test, y_test = standin()
    tests = [(X_test, y_test)]
    if args.heldout:
        tests.append(cifar10.render(args.heldout, seed=12345, pool="heldout"))
    names = "test_batch" + (", held-out" if args.heldout else "")
    print(f"stand-in rendered in {time.time() - t:.1f} s: train {X_train.shape}, test "
          + ", ".join(str(X.shape) for X, _ in tests) + f" ({names})", flush=True)
    if not args.skip_linear:
        linear(X_train, y_train, tests, args.C)
    if not args.skip_convnet:
        convnet(X_train, y_train, tests, args.epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
