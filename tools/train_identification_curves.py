"""Produces source/recurrent_cells/model_identification.png for section 5.3 (`model_identification`).

Real training runs of a vanilla RNN (tanh), an LSTM and a GRU on the course's spoken-digit data
(the same data, hidden size, optimiser, batches and seed), drawn as curves A, B, C in the order
fixed by `reference.recurrent_cells.MODEL_IDENTIFICATION`.

Curves alone do not tell an LSTM from a GRU, so the right panel plots the same losses against
the multiply-adds spent in the recurrent layer: per time step a layer with k gate blocks costs
k * (D*H + H*H) multiply-adds (k = 1 RNN, 3 GRU, 4 LSTM), so after the same number of epochs the
three curves end at compute in the ratio 1 : 3 : 4. A third panel shows validation accuracy.

Run: `python tools/train_identification_curves.py` (about a minute on a laptop CPU).
"""
import json
import pathlib
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from tqdm import tqdm  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from data.speech_commands import SpeechCommandsDataset, find_dataset_root  # noqa: E402
from reference.recurrent_cells import MODEL_IDENTIFICATION  # noqa: E402

OUT = ROOT / "source" / "recurrent_cells" / "model_identification.png"
GATE_BLOCKS = {"RNN": 1, "GRU": 3, "LSTM": 4}
HIDDEN, EPOCHS, BATCH, LR, SEED = 64, 25, 32, 3e-3, 0


class Classifier(nn.Module):
    def __init__(self, kind, n_features, n_classes=3):
        super().__init__()
        rnn = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}[kind]
        self.rnn = rnn(n_features, HIDDEN, batch_first=True)
        self.fc = nn.Linear(HIDDEN, n_classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


def tensors(split, root):
    ds = SpeechCommandsDataset(root, split)
    xs, ys = zip(*(ds[i] for i in range(len(ds))))
    return torch.as_tensor(np.stack(xs)), torch.as_tensor(np.array(ys))


def run(kind, train, valid):
    torch.manual_seed(SEED)
    x, y = train
    model = Classifier(kind, x.shape[2])
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    T, D = x.shape[1], x.shape[2]
    macs_per_clip = T * GATE_BLOCKS[kind] * (D * HIDDEN + HIDDEN * HIDDEN)
    history = {"loss": [], "valid_acc": [], "gmac": [], "seconds": []}
    gen = torch.Generator().manual_seed(SEED)
    spent, start = 0, time.perf_counter()
    for _ in tqdm(range(EPOCHS), desc=kind):
        order = torch.randperm(len(x), generator=gen)
        losses = []
        for k in range(0, len(x), BATCH):
            idx = order[k:k + BATCH]
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            spent += 3 * macs_per_clip * len(idx)  # forward + backward ~ 3x forward
        with torch.no_grad():
            acc = (model(valid[0]).argmax(1) == valid[1]).float().mean().item()
        history["loss"].append(float(np.mean(losses)))
        history["valid_acc"].append(acc)
        history["gmac"].append(spent / 1e9)
        history["seconds"].append(time.perf_counter() - start)
    return history


def main():
    root, kind = find_dataset_root()
    train, valid = tensors("train", root), tensors("valid", root)
    runs = {m: run(m, train, valid) for m in ("RNN", "LSTM", "GRU")}
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for name in ("A_model", "B_model", "C_model"):
        label, history = name[0], runs[MODEL_IDENTIFICATION[name]]
        epochs = np.arange(1, EPOCHS + 1)
        axes[0].plot(epochs, history["loss"], marker=".", label=f"model {label}")
        axes[1].plot(history["gmac"], history["loss"], marker=".", label=f"model {label}")
        axes[2].plot(epochs, history["valid_acc"], marker=".", label=f"model {label}")
    axes[0].set(xlabel="epoch", ylabel="training cross-entropy", title="Loss per epoch")
    axes[1].set(xlabel="training compute in the recurrent layer (G multiply-adds)",
                ylabel="training cross-entropy", title="Loss against compute spent")
    axes[2].set(xlabel="epoch", ylabel="validation accuracy", title="Validation accuracy")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f"One-layer recurrent classifiers, hidden size {HIDDEN}, Adam lr {LR}, "
                 f"batch {BATCH}, {EPOCHS} epochs ({kind} spoken-digit data)")
    fig.tight_layout()
    fig.savefig(OUT, dpi=90)
    summary = {m: {"final_loss": h["loss"][-1], "final_valid_acc": h["valid_acc"][-1],
                   "gmac": h["gmac"][-1], "seconds": round(h["seconds"][-1], 1)}
               for m, h in runs.items()}
    print(json.dumps(summary, indent=1))
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
