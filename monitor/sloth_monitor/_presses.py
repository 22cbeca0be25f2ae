"""The buttons' side of a run: Stop, Checkpoint now and LR × 0.5 as the training code sees them.

A mixin of TrainingRun (which holds the sender, the queue and the run's fields): each press is
handed to the training code once, and its answer travels back as a `control` event.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._controls import Control
from ._delivery import Sender

CAN_DO = ("checkpoint", "lr")


class Presses:
    # Provided by TrainingRun.
    _sender: Sender
    _info: dict[str, Any]
    _stoppable: bool
    _waiting: list[Control]
    enabled: bool
    _started: bool
    _finished: bool

    if TYPE_CHECKING:
        def _put(self, event: dict[str, Any], keep: bool = False) -> None: ...

        def _change_config(self, changes: Mapping[str, Any], control: Control | None) -> None: ...

        def log_checkpoint(self, path: str) -> None: ...

    @property
    def should_stop(self) -> bool:
        """True once someone pressed Stop on the run card in Slack (the card then says the job saw it)."""
        if not self._sender.stop_requested.is_set() or not self._stoppable:
            return False
        if self._sender.stop_ids:
            self._ack_stop()
        return True

    @property
    def stopped_by(self) -> str | None:
        return self._sender.stopped_by

    @property
    def should_checkpoint(self) -> bool:
        """True while someone's "Checkpoint now" waits for log_checkpoint()."""
        self._waiting += self.take_controls("checkpoint")
        return bool(self._waiting)

    def can(self, *controls: str) -> None:
        """Say that this loop can also do these controls ("checkpoint", "lr"): their buttons appear."""
        with self._sender.lock:
            self._info["controls"] = self._controls(set(self._info["controls"]) | set(controls))

    def _controls(self, known: set[str]) -> list[str]:
        return ["stop"] * self._stoppable + [c for c in CAN_DO if c in known]

    def take_controls(self, kind: str | None = None) -> list[Control]:
        """Button presses not handed out before (each exactly once); call done()/failed() on each."""
        with self._sender.lock:
            pending = self._sender.controls
            taken = [c for c in pending if kind is None or c["kind"] == kind]
            for control in taken:
                pending.remove(control)
        found = []
        for control in taken:
            found.append(Control(control["id"], control["kind"], control["factor"], control["by"], self._ack))
            if control["kind"] == "stop":
                found[-1].done("the job stops after the current step")  # should_stop is already true
        return [c for c in found if c.kind != "stop"]

    def handle_controls(self, save: Callable[[], str | None] | None = None,
                        scale_lr: Callable[[float], Mapping[str, Any]] | None = None) -> None:
        """What the integrations call between steps: "Checkpoint now" through `save` (returns the
        path), "LR × factor" through `scale_lr` (returns the config change). Never raises."""
        if not self._sender.controls and not self._waiting:
            return  # the common case, without taking the lock
        if save is not None and self.should_checkpoint:
            try:
                path = save()
            except Exception as exc:
                self._fail_waiting(f"saving failed: {type(exc).__name__}: {exc}")
            else:
                if path:
                    self.log_checkpoint(path)
        for control in self.take_controls("lr"):
            if scale_lr is None or control.factor is None:
                control.failed("this job cannot change its learning rate")
                continue
            try:
                control.done(f"learning rate × {control.factor:g}", scale_lr(control.factor))
            except Exception as exc:
                control.failed(f"{type(exc).__name__}: {exc}")

    def _fail_waiting(self, detail: str) -> None:
        waiting, self._waiting = self._waiting, []
        for control in waiting:
            control.failed(detail[:300])

    def wait_for_stop(self, timeout: float | None = None) -> bool:
        """Block until Stop is pressed or `timeout` passes; returns should_stop."""
        return self._sender.stop_requested.wait(timeout)

    def _ack(self, control: Control, status: str, detail: str, changes: Mapping[str, Any] | None) -> None:
        if changes:
            self._change_config(changes, control=control)
        if self.enabled and self._started and not self._finished:
            self._put({"type": "control", "time": time.time(), "id": control.id, "kind": control.kind,
                       "status": status, "detail": detail[:300]})

    def _ack_stop(self) -> None:
        with self._sender.lock:
            ids, self._sender.stop_ids = self._sender.stop_ids, []
        if self.enabled and self._started and not self._finished:
            for control_id in ids:
                self._put({"type": "control", "time": time.time(), "id": control_id, "kind": "stop",
                           "status": "applied", "detail": "the job saw it and ends after the current step"})
