"""Train a small MLP on scikit-learn's 8x8 digits with PyTorch Lightning and watch it from Slack.

    pip install torch==2.13.0 && pip install ./monitor lightning scikit-learn
    SLOTH_URL=... SLOTH_MONITOR_TOKEN=... python examples/train_lightning.py --owner U01WJK68KS

CPU only, a fraction of a second per epoch. The card shows progress, metrics and the machine;
ModelCheckpoint's saves appear on it with the best path and score; Stop, Checkpoint now and
LR × 0.5 on the card reach the trainer. The thread gets the curves and a grid of predictions.
"""

from __future__ import annotations

import argparse
import os
import sys

import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from sloth_monitor.lightning import LightningCallback


class DigitsMLP(L.LightningModule):
    def __init__(self, learning_rate: float) -> None:
        super().__init__()
        self.learning_rate = learning_rate
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        x, y = batch
        loss = nn.functional.cross_entropy(self(x), y)
        self.log("loss", loss, on_step=True, on_epoch=True)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        x, y = batch
        logits = self(x)
        self.log("val_loss", nn.functional.cross_entropy(logits, y))
        self.log("val_accuracy", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.parameters(), lr=self.learning_rate)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--name", default="digits-lightning")
    parser.add_argument("--channel", default=os.environ.get("SLOTH_CHANNEL", "#general"))
    parser.add_argument("--owner", default=os.environ.get("SLOTH_OWNER"))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--root", default="lightning_runs", help="where checkpoints and logs go")
    return parser.parse_args(argv)


def loaders() -> tuple[DataLoader, DataLoader, torch.Tensor, torch.Tensor]:
    digits = load_digits()
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target)
    generator = torch.Generator().manual_seed(7)
    order = torch.randperm(len(x), generator=generator)
    train, test = order[:1400], order[1400:]
    return (DataLoader(TensorDataset(x[train], y[train]), batch_size=32, shuffle=True, generator=generator),
            DataLoader(TensorDataset(x[test], y[test]), batch_size=128), x[test][:16], y[test][:16])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(1)
    L.seed_everything(7, verbose=False)
    train, val, sample_x, sample_y = loaders()
    model = DigitsMLP(args.learning_rate)
    monitor = LightningCallback(args.name, channel=args.channel, owner=args.owner, watch="val_loss", patience=5,
                                validation_samples=(sample_x, sample_y), class_names=[str(d) for d in range(10)],
                                config={"model": "MLP 64-32-10", "learning_rate": args.learning_rate,
                                        "batch_size": 32})
    checkpoints = ModelCheckpoint(dirpath=os.path.join(args.root, "checkpoints"), monitor="val_loss", save_top_k=1)
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", devices=1, default_root_dir=args.root,
                        callbacks=[monitor, checkpoints], enable_progress_bar=False, enable_model_summary=False,
                        logger=False)
    trainer.fit(model, train, val)
    stopped = " (stopped from Slack)" if monitor.run.should_stop else ""
    print(f"best {checkpoints.best_model_path} val_loss {float(checkpoints.best_model_score or 0):.3f}{stopped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
