"""A training run as Sloth keeps it, and how reported events change it. Pure: no Slack, no I/O.

`Run` is stored as JSON (one key per run). `apply_batch` applies only events whose seq is above
the last one applied, so a retried request changes nothing twice. Every change that the card
should show bumps `version`; the card keeps `shown`, the version it last drew. Work for the
card's thread (alerts, the owner's ping at the end, curves, predictions) waits in `jobs` until
it is done. A new best of the watched metric is a line on the card, never a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from handlers.training import pings, reports
from handlers.training.metric_names import is_neutral, split
from handlers.training.model import Run, lower_is_better
from handlers.training.resume import rewind_to
from handlers.training.wire import Batch, RunInfo

__all__ = ["Applied", "Run", "apply_batch", "lower_is_better", "new_run"]

MAX_SHARED = 6  # metrics drawn when two runs are compared
MAX_HISTORY = 2000  # epochs kept for the curves; older ones are dropped first


def new_run(run_id: str, info: RunInfo, now: float) -> Run:
    run = Run(run_id=run_id, name=info.name, channel=info.channel, owner=info.owner,
              total_epochs=info.total_epochs, config=info.config, created=now, seen=now, instance=info.instance,
              start_config=dict(info.config))
    reports.take_info(run, info)
    return run


@dataclass
class Applied:
    """What a request added beyond the run itself: predictions to draw, and points for the run's
    series (each step's metrics, the machine over time; see `series`)."""

    predictions: list[int] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    machine: list[dict[str, Any]] = field(default_factory=list)


def improves(metric: str, value: float, best: float) -> bool:
    return value < best if lower_is_better(metric) else value > best


def apply_batch(run: Run, batch: Batch, now: float) -> Applied:
    """Apply what is new in `batch` to `run` in place; what else it brought."""
    run.seen = now
    if run.stale:
        run.stale = False
        run.version += 1
    if batch.run.total_epochs is not None and batch.run.total_epochs != run.total_epochs:
        run.total_epochs = batch.run.total_epochs
        run.version += 1
    if batch.dropped != run.dropped:
        run.dropped = batch.dropped
    reports.take_info(run, batch.run)
    if batch.problems is not None and batch.problems != run.problems:
        run.problems = batch.problems
        run.version += 1
    applied = Applied()
    for event in batch.events:
        if event["seq"] <= run.last_seq:
            continue  # applied before: this request repeats an earlier one
        run.last_seq = event["seq"]
        if not run.running:
            continue  # nothing changes a finished run
        apply_event(run, event)
        if event["type"] == "predictions":
            applied.predictions.append(event["seq"])
        elif event["type"] == "batch":
            applied.steps.append({k: event[k] for k in ("time", "epoch", "batch", "total_batches", "metrics")})
        elif event["type"] == "system":
            applied.machine.append({k: v for k, v in event.items() if k not in ("type", "seq", "source")})
    return applied


def apply_event(run: Run, event: dict[str, Any]) -> None:
    kind = event["type"]
    run.last_event_at = max(run.last_event_at or 0.0, event["time"])
    run.version += 1
    if kind == "start":
        run.started_at = run.started_at or event["time"]
    elif kind == "batch":
        if run.rewind:
            rewind_to(run, event["epoch"], event["time"])
        if event["epoch"] >= run.epochs_done:
            run.batch_epoch, run.batch = event["epoch"], event["batch"]
            run.total_batches, run.batch_metrics = event["total_batches"], event["metrics"]
        reports.check_divergence(run, event["metrics"], event["epoch"], event["batch"])
    elif kind == "epoch":
        reports.check_divergence(run, event["metrics"], event["epoch"], None)
        record_epoch(run, event["epoch"], event["metrics"], event["time"])
    elif kind in reports.EVENTS:
        reports.apply(run, event)
    elif kind == "predictions":
        run.jobs.append({"id": f"predictions-{event['seq']}", "kind": "predictions", "seq": event["seq"]})
    elif kind == "finish":
        run.status = event["status"]
        run.error = event["error"]
        run.interrupted = event.get("interrupted", False)
        run.finished_at = event["time"]
        run.summary = event.get("summary")
        run.batch = run.batch_epoch = None
        reports.close_presses(run)
        pings.queue(run)
        if run.history:
            run.jobs.append({"id": f"curves-{event['seq']}", "kind": "curves"})
    if run.started_at is None:
        run.started_at = event["time"]  # the start event was lost; the first event will do


def record_epoch(run: Run, epoch: int, metrics: dict[str, float | str | None], time: float) -> None:
    if run.rewind:
        rewind_to(run, epoch, time)
    run.history = [h for h in run.history if h["epoch"] != epoch]
    run.history.append({"epoch": epoch, "metrics": metrics, "time": time})
    run.history.sort(key=lambda h: h["epoch"])
    del run.history[:-MAX_HISTORY]
    run.epochs_done = max(run.epochs_done, epoch + 1)
    if run.batch_epoch is not None and run.batch_epoch <= epoch:
        run.batch = run.batch_epoch = None
    if run.watch is None:
        run.watch = watched_metric(metrics)
    improved = False
    for name, value in metrics.items():
        if not isinstance(value, float) or (is_neutral(name) and name != run.watch):
            continue  # not reported, NaN / infinite, or a setting (lr): never a best
        best = run.best.get(name)
        if best is None or reports.better(run, name, value, best["value"]):
            if name == run.watch and best is not None:
                run.improvements += 1
                run.last_best = {"metric": name, "value": value, "was": best["value"], "epoch": epoch}
            improved = improved or name == run.watch
            run.best[name] = {"value": value, "epoch": epoch}
    if run.watch in metrics:
        reports.after_epoch(run, improved)


def watched_metric(metrics: dict[str, Any]) -> str | None:
    """val_loss, or else the first validation score reported (`eval/acc`, `accuracy_val`, ...)."""
    if "val_loss" in metrics:
        return "val_loss"
    return next((name for name in metrics if split(name)[1] == "val" and not is_neutral(name)), None)


def request_stop(run: Run, user: str, now: float = 0.0) -> bool:
    """Mark the run stopped by `user`; False when it is not running, cannot stop, or was asked already."""
    if not run.running or run.stop_by is not None or "stop" not in run.can:
        return False
    run.stop_by = user
    run.stop_epoch = run.epochs_done
    reports.press(run, "stop", user, now)
    return True


def add_curves_job(run: Run) -> bool:
    """Ask for the curves in the thread, once while one is already waiting; False if nothing to draw."""
    if not run.history:
        return False
    if not any(job["kind"] == "curves" for job in run.jobs):
        run.jobs.append({"id": f"curves-v{run.version}", "kind": "curves"})
    return True


def mark_stale(run: Run, now: float, after: float) -> bool:
    if run.running and not run.stale and now - run.seen > after:
        run.stale = True
        run.version += 1
        reports.stale_alert(run, after / 60)
        return True
    return False


def eta_seconds(run: Run) -> float | None:
    """Time left, from the pace so far (the training side's own clock); None when unknown."""
    if not run.running or not run.total_epochs or run.started_at is None or run.last_event_at is None:
        return None
    progress = float(run.epochs_done)
    if run.batch is not None and run.total_batches and run.batch_epoch == run.epochs_done:
        progress += min(1.0, (run.batch + 1) / run.total_batches)
    begun, done_before = run.started_at, 0.0
    if run.resumes and run.resumes[-1].get("went_on_at") is not None:  # the pace since the restart
        begun, done_before = run.resumes[-1]["went_on_at"], float(run.resumes[-1]["epoch"])
    elapsed = run.last_event_at - begun
    if progress - done_before <= 0 or elapsed <= 0:
        return None
    return max(0.0, elapsed / (progress - done_before) * (run.total_epochs - progress))


def shared_metrics(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> list[str]:
    """Metric names both runs reported at some epoch, in the first run's order."""
    def names(history: list[dict[str, Any]]) -> list[str]:
        return list(dict.fromkeys(n for record in history for n, v in record["metrics"].items()
                                  if isinstance(v, float)))
    theirs = set(names(second))
    return [name for name in names(first) if name in theirs][:MAX_SHARED]
