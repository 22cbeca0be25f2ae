"""A button pressed on the run card, handed to the training code once, and what it did about it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Ack = Callable[["Control", str, str, "Mapping[str, Any] | None"], None]


@dataclass(eq=False)
class Control:
    """One press: `kind` is "checkpoint" or "lr" (then `factor`, e.g. 0.5); `by` is who pressed.

    Call done() or failed() once: the card shows which it was, and a press is never applied twice.
    """

    id: str
    kind: str
    factor: float | None
    by: str | None
    _ack: Ack = field(repr=False)
    answered: bool = False

    def done(self, detail: str = "", changes: Mapping[str, Any] | None = None) -> None:
        """Applied. `changes` (e.g. {"lr": 5e-4}) are recorded as config changes on the card."""
        self._answer("applied", detail, changes)

    def failed(self, detail: str) -> None:
        self._answer("failed", detail, None)

    def _answer(self, status: str, detail: str, changes: Mapping[str, Any] | None) -> None:
        if not self.answered:
            self.answered = True
            self._ack(self, status, detail, changes)


def scale_param_groups(optimizers: Iterable[Any], factor: float, schedulers: Iterable[Any] = ()) -> list[float]:
    """Multiply the learning rate of every param group (torch optimizers) by `factor`; the new rates.

    Schedulers that recompute the rate from their `base_lrs` (LambdaLR, StepLR, cosine, ...) have
    those scaled too, or they would undo the change at their next step.
    """
    rates: list[float] = []
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            group["lr"] = group["lr"] * factor
            if "initial_lr" in group:
                group["initial_lr"] = group["initial_lr"] * factor
            rates.append(float(group["lr"]))
    for scheduler in schedulers:
        if isinstance(getattr(scheduler, "base_lrs", None), list):
            scheduler.base_lrs = [rate * factor for rate in scheduler.base_lrs]
        if isinstance(getattr(scheduler, "_last_lr", None), list):
            scheduler._last_lr = [rate * factor for rate in scheduler._last_lr]
    return rates


def rates_changed(rates: list[float]) -> dict[str, Any]:
    """The config change for new learning rates: one `lr`, or one per param group."""
    unique = sorted(set(rates))
    return {"lr": unique[0]} if len(unique) == 1 else {"lr": rates}
