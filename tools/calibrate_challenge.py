"""Calibrate the `convnets` challenge: train the reference model (reference/convnets.py,
build_best_model) on the dataset in use with the notebook's full schedule, and measure it,
an untrained model and a linear classifier on the grader's held-out images.

    .venv/bin/python tools/calibrate_challenge.py [--epochs 8] [--out grader_tests/convnets/fixtures/reference_best_model.pt]

Prints the accuracies and the thresholds they suggest (grader_tests/convnets/challenge.py holds
the ones in use), and writes the reference checkpoint: the example submissions and the tests
submit it as the solution's best_model.pt. The schedule mirrors the notebook's training cell
(Adam, weight decay 1e-4, one-cycle learning rate peaking at 4e-3, batch 64, whole-batch
horizontal flips, the last 1000 training images held out for validation).
"""
import argparse
import pathlib
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data import cifar10  # noqa: E402
from grader_tests.convnets import challenge  # noqa: E402
from handouts.cnn_helpers import normalize_images  # noqa: E402
from reference import convnets as ref  # noqa: E402


def accuracy(model, X, batch=500):
    model.eval()
    with torch.no_grad():
        return np.concatenate([model(torch.from_numpy(normalize_images(X[i:i + batch]))).argmax(1).numpy()
                               for i in range(0, len(X), batch)])


def train(model, X, y, epochs, lr=2e-3, max_lr=4e-3, seed=0, flips=True):
    torch.manual_seed(seed)
    data = torch.utils.data.TensorDataset(torch.from_numpy(normalize_images(X)), torch.from_numpy(y))
    loader = torch.utils.data.DataLoader(data, batch_size=64, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, epochs=epochs,
                                                    steps_per_epoch=len(loader))
    for epoch in range(epochs):
        model.train()
        start = time.perf_counter()
        for x, t in loader:
            if flips and torch.rand(()) < 0.5:
                x = x.flip(3)
            loss = F.cross_entropy(model(x), t)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        print(f"  epoch {epoch + 1}: loss {loss.item():.3f} ({time.perf_counter() - start:.0f} s)", flush=True)
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--out", default=str(ROOT / "grader_tests/convnets/fixtures/reference_best_model.pt"))
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    X_all, y_all, X_test, y_test = cifar10.load_cifar10()
    X_train, y_train = X_all[:-1000], y_all[:-1000]
    X_held, y_held = challenge.heldout()
    kind = challenge.dataset_in_use()

    torch.manual_seed(0)
    untrained = ref.build_best_model()
    print(f"untrained reference model: held-out {np.mean(accuracy(untrained, X_held) == y_held):.3f}")

    torch.manual_seed(0)
    linear = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 32 * 32, 10))
    train(linear, X_train, y_train, epochs=10, lr=1e-3, max_lr=2e-3, flips=False)
    lin_held = np.mean(accuracy(linear, X_held) == y_held)
    print(f"linear classifier: test {np.mean(accuracy(linear, X_test) == y_test):.3f}, held-out {lin_held:.3f}")

    torch.manual_seed(0)
    model = ref.build_best_model()
    start = time.perf_counter()
    train(model, X_train, y_train, epochs=args.epochs)
    seconds = time.perf_counter() - start
    held = np.mean(accuracy(model, X_held) == y_held)
    print(f"reference model ({args.epochs} epochs, {seconds:.0f} s): test "
          f"{np.mean(accuracy(model, X_test) == y_test):.3f}, held-out {held:.3f}")
    start = time.perf_counter()
    accuracy(model, X_held)
    print(f"inference on {len(X_held)} held-out images: {time.perf_counter() - start:.2f} s")
    pathlib.Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), args.out)
    print(f"wrote {args.out} ({pathlib.Path(args.out).stat().st_size / 2**20:.2f} MiB)")
    print(f"dataset in use: {kind}; thresholds in use {challenge.THRESHOLDS[kind]}; suggested for the "
          f"stand-in: zero at {lin_held + 0.05:.2f} (linear + 5 points), full at {held - 0.03:.2f} "
          "(reference - 3 points)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
