"""TrainingRun: the public face. Every call puts an event on the queue and returns."""

from __future__ import annotations

import atexit
import functools
import logging
import math
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Concatenate, Literal, ParamSpec

from ._delivery import Outbox, Sender, Transport
from ._wire import clean_metrics, head, is_primary_process, jsonable, label

_log = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8080"
Status = Literal["completed", "stopped", "failed"]

P = ParamSpec("P")


def _never_raises(method: Callable[Concatenate[TrainingRun, P], None]
                  ) -> Callable[Concatenate[TrainingRun, P], None]:
    @functools.wraps(method)
    def guarded(self: TrainingRun, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            method(self, *args, **kwargs)
        except Exception:
            if not self._bug_logged:
                self._bug_logged = True
                _log.warning("Sloth monitor ignored an error in %s", method.__name__, exc_info=True)
    return guarded


class TrainingRun:
    """One training run reported to Sloth. Every method returns at once and never raises.

    `url` defaults to $SLOTH_URL (else http://127.0.0.1:8080) and `token` to $SLOTH_MONITOR_TOKEN.
    `poll_interval` is how often an idle client asks whether Stop was pressed; log_batch calls
    closer than `progress_interval` seconds apart are skipped before any work is done.
    """

    def __init__(self, name: str, channel: str, total_epochs: int | None = None, owner: str | None = None,
                 config: Mapping[str, Any] | None = None, url: str | None = None,
                 token: str | None = None, flush_timeout: float = 10.0, *,
                 poll_interval: float = 5.0, progress_interval: float = 0.5) -> None:
        self.run_id = uuid.uuid4().hex
        self.name = name
        self.channel = channel
        self.total_epochs = total_epochs
        self.owner = owner
        self.config = jsonable(dict(config or {}))
        self.url = (url or os.environ.get("SLOTH_URL") or DEFAULT_URL).rstrip("/")
        self.flush_timeout = flush_timeout
        self.progress_interval = progress_interval
        self.enabled = is_primary_process()
        self._outbox = Outbox()
        token = token if token is not None else os.environ.get("SLOTH_MONITOR_TOKEN")
        endpoint = f"{self.url}/monitor/v1/runs/{self.run_id}/events"
        self._sender = Sender(self._outbox, Transport(endpoint, token), self._run_block, poll_interval)
        self._started = False
        self._finished = False
        self._last_progress = -math.inf
        self._bug_logged = False

    @property
    def should_stop(self) -> bool:
        """True once someone pressed Stop on the run card in Slack."""
        return self._sender.stop_requested.is_set()

    @property
    def stopped_by(self) -> str | None:
        return self._sender.stopped_by

    @property
    def finished(self) -> bool:
        """True once finish() was called (directly, by the with-block or at exit)."""
        return self._finished

    def wait_for_stop(self, timeout: float | None = None) -> bool:
        """Block until Stop is pressed or `timeout` passes; returns should_stop."""
        return self._sender.stop_requested.wait(timeout)

    def __enter__(self) -> TrainingRun:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.finish(error=error)

    @_never_raises
    def start(self) -> None:
        """Report the start (entering the with-block, or the first log call, does it for you)."""
        with self._sender.lock:  # training code may log from several threads
            if not self.enabled or self._started:
                return
            self._started = True
            self._put({"type": "start", "time": time.time()})
        self._sender.start()
        atexit.register(self._at_exit)

    def log_batch(self, epoch: int, batch: int, total_batches: int | None = None, **metrics: Any) -> None:
        """Progress within an epoch (0-based); calls closer than progress_interval apart are skipped."""
        self.report_batch(epoch, batch, total_batches, metrics)

    def log_epoch(self, epoch: int, **metrics: Any) -> None:
        """Metrics at the end of an epoch (0-based); every epoch is kept for the curves."""
        self.report_epoch(epoch, metrics)

    @_never_raises
    def log_predictions(self, images: Any, y_true: Iterable[Any], y_pred: Iterable[Any],
                        class_names: Iterable[Any] | None = None) -> None:
        """Up to 16 samples: arrays / nested lists of images, or a list of PNG bytes."""
        if self._accepting():
            self._put({"type": "predictions", "samples": head(images),
                       "y_true": [label(v) for v in head(y_true)],
                       "y_pred": [label(v) for v in head(y_pred)],
                       "class_names": [str(c) for c in class_names or []], "time": time.time()})

    def finish(self, status: Status | None = None, error: BaseException | None = None) -> bool:
        """Report the end and wait up to flush_timeout for delivery; True if everything arrived.

        Without `status`: "failed" when `error` is given, "stopped" after a Stop from Slack,
        otherwise "completed".
        """
        if status is None:
            status = "failed" if error is not None else "stopped" if self.should_stop else "completed"
        problem = None if error is None else {"type": type(error).__name__, "message": str(error)[:2000]}
        try:
            return self._finish(status, problem)
        except Exception:
            _log.warning("Sloth monitor could not finish run %s", self.run_id, exc_info=True)
            return False

    @_never_raises
    def report_batch(self, epoch: int, batch: int, total: int | None, metrics: Mapping[str, Any]) -> None:
        """log_batch with the metrics as a mapping, whatever their names."""
        now = time.monotonic()
        if now - self._last_progress >= self.progress_interval and self._accepting():
            self._last_progress = now
            self._put({"type": "batch", "epoch": int(epoch), "batch": int(batch),
                       "total_batches": None if total is None else int(total),
                       "metrics": clean_metrics(metrics), "time": time.time()})

    @_never_raises
    def report_epoch(self, epoch: int, metrics: Mapping[str, Any]) -> None:
        """log_epoch with the metrics as a mapping, whatever their names."""
        if self._accepting():
            self._put({"type": "epoch", "epoch": int(epoch), "metrics": clean_metrics(metrics),
                       "time": time.time()})

    def _finish(self, status: str, problem: dict[str, str] | None) -> bool:
        if not self.enabled:
            return True
        if not self._finished:
            self.start()
            self._finished = True
            atexit.unregister(self._at_exit)
            self._put({"type": "finish", "status": status, "error": problem, "time": time.time()})
            self._sender.close()
            self._sender.finished.wait(self.flush_timeout)
            self._sender.abandon()
        return self._sender.finish_delivered and not self._outbox.dropped

    def _at_exit(self) -> None:
        message = "the training process exited before the run finished"
        self._finish("failed", {"type": "ProcessExit", "message": message})

    def _accepting(self) -> bool:
        if not self.enabled or self._finished:
            return False
        if not self._started:
            self.start()
        return not self._sender.finished.is_set()

    def _put(self, event: dict[str, Any]) -> None:
        with self._sender.lock:
            self._outbox.put(event)
            self._sender.lock.notify()

    def _run_block(self) -> dict[str, Any]:
        return {"name": self.name, "channel": self.channel, "owner": self.owner,
                "total_epochs": self.total_epochs, "config": self.config}
