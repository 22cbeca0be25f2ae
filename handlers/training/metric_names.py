"""What a metric's name says: which way is better, and which training and validation curves pair up.

Pure. A run names its metrics as its framework does: `val_loss` and `loss` (Keras), `train_loss`
and `val_loss` or `train/loss` and `val/loss` (Lightning), `eval_loss` (Hugging Face, shown as
`val_loss`). Some figures are settings or diagnostics rather than scores (`lr`, `learning_rate`,
`grad_norm`, ...): they have no better direction and never a "best".
"""

from __future__ import annotations

from typing import Literal

LOWER_IS_BETTER = ("loss", "error", "mae", "mse", "rmse", "perplexity", "entropy", "distance")
NEUTRAL = frozenset({"lr", "learning_rate", "learningrate", "grad_norm", "gradient_norm", "momentum",
                     "weight_decay", "epoch", "step", "global_step", "batch_size", "loss_scale", "scale",
                     "total_flos", "tokens", "num_tokens", "num_input_tokens_seen", "temperature", "seconds",
                     "time", "memory", "mem"})
VALIDATION_PREFIXES = ("val_", "valid_", "validation_", "eval_", "val/", "valid/", "validation/", "eval/")
VALIDATION_SUFFIXES = ("/val", "/valid", "/validation", "/eval", "_val")
TRAINING_PREFIXES = ("train_", "training_", "train/", "training/")
TRAINING_SUFFIXES = ("/train", "_train")
Role = Literal["train", "val"]


def split(name: str) -> tuple[str, Role]:
    """(what is measured, "train" or "val"): `val_loss` -> ("loss", "val"), `train/acc` -> ("acc", "train")."""
    lower = name.lower()
    for prefix in VALIDATION_PREFIXES:
        if lower.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):], "val"
    for suffix in VALIDATION_SUFFIXES:
        if lower.endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)], "val"
    for prefix in TRAINING_PREFIXES:
        if lower.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):], "train"
    for suffix in TRAINING_SUFFIXES:
        if lower.endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)], "train"
    return name, "train"


def measured(name: str) -> str:
    """The quantity alone, lower case: no train/val part, no Lightning `_step` / `_epoch` suffix."""
    base = split(name)[0].lower()
    return base.removesuffix("_step").removesuffix("_epoch")


def is_neutral(name: str) -> bool:
    """A setting or diagnostic, not a score: `lr`, `learning_rate`, `grad_norm`, Lightning's `lr-Adam`, ..."""
    base = measured(name)
    return base in NEUTRAL or base.startswith(("lr-", "lr_", "lr/"))


def lower_is_better(metric: str) -> bool:
    return any(word in metric.lower() for word in LOWER_IS_BETTER)


def direction(metric: str) -> Literal["min", "max"] | None:
    """Which way is better, by the name; None for a figure that is not a score."""
    if is_neutral(metric):
        return None
    return "min" if lower_is_better(metric) else "max"
