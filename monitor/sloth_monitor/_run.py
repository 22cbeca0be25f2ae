"""TrainingRun: the public face. Every call puts an event on the queue and returns."""

from __future__ import annotations

import functools
import logging
import math
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Concatenate, Literal, ParamSpec

from . import _lifetime, _resume, _signals
from ._checks import bad_loss, check_channel, checked_owner, checked_run_id, checked_tags, score_value
from ._controls import Control
from ._delivery import Outbox, Sender, warn_once_log
from ._http import Transport
from ._info import process_info
from ._presses import Presses
from ._system import Sampler
from ._wire import MetricCleaner, Problems, fit_config, head, is_primary_process, jsonable, label

_log = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_FLUSH = 1.0  # seconds leaving a run may wait for Sloth; $SLOTH_FLUSH_SECONDS
DEFAULT_PING_AFTER = 300.0  # a run that completes after this long mentions its owner
Status = Literal["completed", "stopped", "failed", "preempted"]

P = ParamSpec("P")


def _never_raises(method: Callable[Concatenate[TrainingRun, P], None]
                  ) -> Callable[Concatenate[TrainingRun, P], None]:
    @functools.wraps(method)
    def guarded(self: TrainingRun, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            method(self, *args, **kwargs)
        except Exception:
            self.problems.add("bug", f"the monitor ignored an error in {method.__name__}")
            _log.debug("Sloth monitor ignored an error in %s", method.__name__, exc_info=True)
    return guarded


class TrainingRun(Presses):
    """One training run reported to Sloth. Every method returns at once and never raises.

    `url` defaults to $SLOTH_URL (else http://127.0.0.1:8080) and `token` to $SLOTH_MONITOR_TOKEN.
    Leaving the run (finish) waits at most `flush_timeout` seconds for Sloth (default
    $SLOTH_FLUSH_SECONDS, else 1), and not at all when Sloth did not answer the last request.
    `poll_interval` is how often an idle client asks whether a button was pressed; log_batch
    calls closer than `progress_interval` seconds apart are skipped before any work is done;
    at most one request goes out per `send_interval`. `system_interval` is how often the
    machine's figures are sampled (never under 2 s; None: not at all). `watch`, `mode` ("min" or
    "max") and `patience` (epochs) set the no-improvement alert. `controls` names what this loop
    can do besides stopping ("checkpoint", "lr"): only those buttons are shown on the card.

    The owner is mentioned in the card's thread when the run fails or is preempted, and when it
    completes after running at least `ping_after` seconds (None: never for a completion).
    `resume_file` (a path beside the checkpoints) or `resume_token` (an earlier run's
    `resume_token`, with its `run_id`) continue that run's card after a restart: see _resume.
    `tags` (up to 10 short words: "baseline", "lr-sweep") let the runs page filter runs.
    """

    def __init__(self, name: str, channel: str, total_epochs: int | None = None, owner: str | None = None,
                 config: Mapping[str, Any] | None = None, url: str | None = None,
                 token: str | None = None, flush_timeout: float | None = None, *,
                 poll_interval: float = 5.0, progress_interval: float = 0.5, send_interval: float = 1.0,
                 system_interval: float | None = 5.0, watch: str | None = None, mode: str | None = None,
                 patience: int | None = None, run_id: str | None = None, controls: Iterable[str] = (),
                 kind: str = "training", framework: str | None = None,
                 ping_after: float | None = DEFAULT_PING_AFTER, resume_file: str | os.PathLike[str] | None = None,
                 resume_token: str | None = None, tags: Iterable[str] = ()) -> None:
        self.problems = Problems(warn_once_log(_log))
        self.resume_file = resume_file
        saved = None if resume_file is None else _resume.read(resume_file, self.problems)
        if saved is not None and run_id in (None, saved["run_id"]):
            run_id, resume_token = saved["run_id"], resume_token or saved["token"]
        self.run_id = checked_run_id(run_id, self.problems)
        self.name = str(name)[:200] or "run"
        self.channel = channel
        check_channel(channel, self.problems)
        self.owner = checked_owner(owner, self.problems)
        self.url = (url or os.environ.get("SLOTH_URL") or DEFAULT_URL).rstrip("/")
        self.flush_timeout = flush_seconds(flush_timeout)
        self.progress_interval = progress_interval
        self.enabled = is_primary_process()
        self.metrics = MetricCleaner(self.problems)
        self._outbox = Outbox()
        token = token if token is not None else os.environ.get("SLOTH_MONITOR_TOKEN")
        self._stoppable = kind != "task"  # a task (@notify) cannot see Stop: its card offers none
        self._info: dict[str, Any] = {
            "name": self.name, "channel": channel, "owner": self.owner,
            "total_epochs": None if total_epochs is None else int(total_epochs),
            "config": fit_config(jsonable(dict(config or {})), self.problems), "kind": kind,
            "instance": uuid.uuid4().hex, "framework": framework, "watch": watch,
            "mode": mode if mode in ("min", "max") else None, "patience": patience,
            "controls": self._controls(set(controls)), "ping_after": ping_after,
            "resume": _resume.checked_token(resume_token, self.problems), **process_info()}
        if tags:  # only when given: a Sloth older than tags refuses fields it does not know
            self._info["tags"] = checked_tags(tags, self.problems)
        sampler = None if system_interval is None else Sampler(system_interval)
        self._sender = Sender(self._outbox, Transport(self.url, self.run_id, token), self._info, self.problems,
                              poll_interval, send_interval, sampler)
        self._started = False
        self._finished = False
        self._last_progress = -math.inf
        self.current_epoch = 0  # the epoch in progress: one past the last one logged
        self._diverged = False
        self._skipped: tuple[int, int, int | None, Mapping[str, Any]] | None = None  # the latest batch not sent
        self._waiting: list[Control] = []  # checkpoint requests taken from the sender, not yet saved

    # ---- what the training code asks --------------------------------------------------------

    @property
    def resume_token(self) -> str:
        """What a restarted job presents (with this run_id) to continue this run's card: keep it
        secret, like the checkpoint it goes with."""
        instance: str = self._info["instance"]
        return instance

    @property
    def finished(self) -> bool:
        """True once finish() was called (directly, by the with-block or at exit)."""
        return self._finished

    @property
    def total_epochs(self) -> int | None:
        total: int | None = self._info["total_epochs"]
        return total

    @total_epochs.setter
    def total_epochs(self, value: int | None) -> None:
        with self._sender.lock:
            self._info["total_epochs"] = None if value is None else int(value)

    @property
    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = self._info["config"]
        return config

    def __enter__(self) -> TrainingRun:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.finish(error=error)

    # ---- what the training code reports ------------------------------------------------------

    @_never_raises
    def start(self) -> None:
        """Report the start (entering the with-block, or the first log call, does it for you)."""
        with self._sender.lock:  # training code may log from several threads
            if not self.enabled or self._started:
                return
            self._started = True
            self._put({"type": "start", "time": time.time()})
        if self.resume_file is not None:
            _resume.write(self.resume_file, self.run_id, self.resume_token, self.problems)
        _lifetime.opened(self._sender, self._outbox, self.flush_timeout, (self.name, self.channel))
        self._sender.start()

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
        if not self._accepting():
            return
        samples, truth, guesses = head(images), head(y_true), head(y_pred)
        if not len(samples) == len(truth) == len(guesses):
            self.problems.add("predictions_mismatch", f"log_predictions got {len(samples)} images, "
                              f"{len(truth)} true and {len(guesses)} predicted labels; nothing was sent")
            return
        self._put({"type": "predictions", "samples": samples, "y_true": [label(v) for v in truth],
                   "y_pred": [label(v) for v in guesses], "class_names": [str(c) for c in class_names or []],
                   "time": time.time()})

    @_never_raises
    def log_checkpoint(self, path: str, score: Any = None, *, best: bool | None = None, monitor: str | None = None,
                       best_path: str | None = None, best_score: Any = None, epoch: int | None = None,
                       step: int | None = None) -> None:
        """A checkpoint was saved; answers every "Checkpoint now" the loop has seen (should_checkpoint).

        A press that arrived meanwhile waits for a save the loop makes for it: a checkpoint a
        framework saved on its own schedule may be deleted later (ModelCheckpoint's top k)."""
        if not self._accepting():
            return
        asked, self._waiting = self._waiting, []
        self._put({"type": "checkpoint", "time": time.time(), "path": str(path)[:500], "score": score_value(score),
                   "monitor": None if monitor is None else str(monitor)[:100], "best": best,
                   "best_path": None if best_path is None else str(best_path)[:500],
                   "best_score": score_value(best_score),
                   "epoch": None if epoch is None else int(epoch), "step": None if step is None else int(step),
                   "controls": [c.id for c in asked]})
        for control in asked:
            control.done(f"saved {str(path)[:200]}")

    @_never_raises
    def log_config(self, **changes: Any) -> None:
        """Settings changed during the run (a new learning rate, say); shown on the card."""
        self._change_config(changes, control=None)

    def finish(self, status: Status | None = None, error: BaseException | None = None,
               summary: str | None = None) -> bool:
        """Report the end and wait up to flush_timeout for delivery; True if everything arrived.

        Without `status`: "preempted" once the job got SIGTERM, "stopped" for Ctrl-C
        (KeyboardInterrupt) or after a Stop from Slack, "failed" when `error` is given,
        otherwise "completed".
        """
        ended: str = status or ""
        interrupted = False
        try:
            if not ended:
                ended, interrupted, error = _signals.ending(error, self.should_stop)
            return self._finish(ended, _lifetime.error_fields(error), summary, interrupted)
        except Exception:
            _log.warning("Sloth monitor could not finish run %s", self.run_id, exc_info=True)
            return False

    @_never_raises
    def report_batch(self, epoch: int, batch: int, total: int | None, metrics: Mapping[str, Any]) -> None:
        """log_batch with the metrics as a mapping, whatever their names."""
        now = time.monotonic()
        if now - self._last_progress < self.progress_interval and (
                self._diverged or not metrics or not bad_loss(metrics)):
            self._skipped = (epoch, batch, total, metrics)  # sent at the finish if nothing newer is
            return
        if self._accepting():
            self._last_progress = now
            self._send_batch(epoch, batch, total, metrics)

    def _send_batch(self, epoch: int, batch: int, total: int | None, metrics: Mapping[str, Any]) -> None:
        self._skipped = None
        cleaned = self.metrics.clean(metrics)
        # The step where the loss first turns NaN or infinite is worth its own event: the card names it.
        first_bad = not self._diverged and any(isinstance(v, str) for v in cleaned.values())
        self._diverged = self._diverged or first_bad
        self._put({"type": "batch", "epoch": int(epoch), "batch": int(batch),
                   "total_batches": None if not total else int(total),
                   "metrics": cleaned, "time": time.time()}, keep=first_bad)

    @_never_raises
    def report_epoch(self, epoch: int, metrics: Mapping[str, Any]) -> None:
        """log_epoch with the metrics as a mapping, whatever their names."""
        self.current_epoch = max(self.current_epoch, int(epoch) + 1)
        if self._accepting():
            self._put({"type": "epoch", "epoch": int(epoch), "metrics": self.metrics.clean(metrics),
                       "time": time.time()})

    # ---- inside ------------------------------------------------------------------------------

    def _change_config(self, changes: Mapping[str, Any], control: Control | None) -> None:
        values = jsonable({str(k)[:100]: v for k, v in changes.items()})
        with self._sender.lock:
            self._info["config"] = fit_config({**self._info["config"], **values}, self.problems)
        if self._accepting():
            self._put({"type": "config", "time": time.time(), "changes": values,
                       "control": None if control is None else control.id})

    def _finish(self, status: str, problem: dict[str, Any] | None, summary: str | None, interrupted: bool) -> bool:
        if not self.enabled:
            return True
        if not self._finished:
            self.start()
            if self._skipped is not None:  # the card's latest batch is the last one, not the last one sent
                self._send_batch(*self._skipped)
            self._ack_stop()
            self._finished = True
            self._fail_waiting("the run ended before a checkpoint was saved")
            _lifetime.close(self._sender, self._outbox, status, problem, summary, self.flush_timeout, interrupted)
            if status == "completed" and self.resume_file is not None:
                _resume.remove(self.resume_file, self.run_id)
            self._sender.finished.wait(self.flush_timeout)
        return self._sender.finish_delivered and not self._outbox.dropped

    def _accepting(self) -> bool:
        if not self.enabled or self._finished:
            return False
        if not self._started:
            self.start()
        return not self._sender.finished.is_set()

    def _put(self, event: dict[str, Any], keep: bool = False) -> None:
        with self._sender.lock:
            self._outbox.put(event, keep)
            self._sender.wake()


def flush_seconds(given: float | None) -> float:
    """The flush: as given, else $SLOTH_FLUSH_SECONDS, else DEFAULT_FLUSH."""
    if given is not None:
        return max(0.0, float(given))
    try:
        return max(0.0, float(os.environ.get("SLOTH_FLUSH_SECONDS", DEFAULT_FLUSH)))
    except ValueError:
        _log.warning("Sloth monitor: SLOTH_FLUSH_SECONDS is not a number; flushing for %s s", DEFAULT_FLUSH)
        return DEFAULT_FLUSH
