"""A training run as Sloth keeps it, and how reported events change it. Pure: no Slack, no I/O.

`Run` is stored as JSON (one key per run). `apply_batch` applies only events whose seq is above
the last one applied, so a retried request changes nothing twice. Every change that the card
should show bumps `version`; the card keeps `shown`, the version it last drew. Work for the
card's thread (improvement lines, curves, predictions) waits in `jobs` until it is done.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from handlers.training.wire import Batch, RunInfo

MAX_HISTORY = 2000  # epochs kept for the curves; older ones are dropped first
LOWER_IS_BETTER = ("loss", "error", "mae", "mse", "rmse", "perplexity", "entropy", "distance")


@dataclass
class Run:
    run_id: str
    name: str
    channel: str  # as the training code named it; card_channel is the ID Slack answered with
    owner: str | None
    total_epochs: int | None
    config: dict[str, Any]
    created: float  # Sloth's clock, like `seen`
    status: str = "running"  # running | completed | stopped | failed
    last_seq: int = 0
    seen: float = 0.0  # when the training side last reached Sloth
    started_at: float | None = None  # the training side's clock, like every event time
    last_event_at: float | None = None
    finished_at: float | None = None
    epochs_done: int = 0
    batch_epoch: int | None = None
    batch: int | None = None
    total_batches: int | None = None
    batch_metrics: dict[str, float | str | None] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)  # [{"epoch", "metrics", "time"}]
    best: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {"value", "epoch"}
    watch: str | None = None  # the validation metric whose improvements get a line in the thread
    stop_by: str | None = None
    stop_epoch: int | None = None
    error: dict[str, str] | None = None
    dropped: int = 0
    stale: bool = False
    muted: bool = False
    card_channel: str | None = None
    card_ts: str | None = None
    card_link: str | None = None
    card_error: str | None = None
    version: int = 1
    shown: int = 0
    jobs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def card(self) -> tuple[str, str]:
        """The posted card's channel ID and ts (only asked for once it is posted)."""
        if self.card_channel is None or self.card_ts is None:
            raise LookupError(f"run {self.run_id} has no card yet")
        return self.card_channel, self.card_ts

    @property
    def latest(self) -> dict[str, float | str | None]:
        return dict(self.history[-1]["metrics"]) if self.history else {}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Run:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def new_run(run_id: str, info: RunInfo, now: float) -> Run:
    return Run(run_id=run_id, name=info.name, channel=info.channel, owner=info.owner,
               total_epochs=info.total_epochs, config=info.config, created=now, seen=now)


def lower_is_better(metric: str) -> bool:
    return any(word in metric.lower() for word in LOWER_IS_BETTER)


def improves(metric: str, value: float, best: float) -> bool:
    return value < best if lower_is_better(metric) else value > best


def apply_batch(run: Run, batch: Batch, now: float) -> list[int]:
    """Apply what is new in `batch` to `run` in place; the seqs of the predictions events applied."""
    run.seen = now
    if run.stale:
        run.stale = False
        run.version += 1
    if batch.run.total_epochs is not None and batch.run.total_epochs != run.total_epochs:
        run.total_epochs = batch.run.total_epochs
        run.version += 1
    if batch.dropped != run.dropped:
        run.dropped = batch.dropped
    predictions: list[int] = []
    for event in batch.events:
        if event["seq"] <= run.last_seq:
            continue  # applied before: this request repeats an earlier one
        run.last_seq = event["seq"]
        if not run.running:
            continue  # nothing changes a finished run
        apply_event(run, event)
        if event["type"] == "predictions":
            predictions.append(event["seq"])
    return predictions


def apply_event(run: Run, event: dict[str, Any]) -> None:
    kind = event["type"]
    run.last_event_at = max(run.last_event_at or 0.0, event["time"])
    run.version += 1
    if kind == "start":
        run.started_at = run.started_at or event["time"]
    elif kind == "batch":
        if event["epoch"] >= run.epochs_done:
            run.batch_epoch, run.batch = event["epoch"], event["batch"]
            run.total_batches, run.batch_metrics = event["total_batches"], event["metrics"]
    elif kind == "epoch":
        record_epoch(run, event["epoch"], event["metrics"], event["time"])
    elif kind == "predictions":
        run.jobs.append({"id": f"predictions-{event['seq']}", "kind": "predictions", "seq": event["seq"]})
    elif kind == "finish":
        run.status = event["status"]
        run.error = event["error"]
        run.finished_at = event["time"]
        run.batch = run.batch_epoch = None
        if run.history:
            run.jobs.append({"id": f"curves-{event['seq']}", "kind": "curves"})
    if run.started_at is None:
        run.started_at = event["time"]  # the start event was lost; the first event will do


def record_epoch(run: Run, epoch: int, metrics: dict[str, float | str | None], time: float) -> None:
    run.history = [h for h in run.history if h["epoch"] != epoch]
    run.history.append({"epoch": epoch, "metrics": metrics, "time": time})
    run.history.sort(key=lambda h: h["epoch"])
    del run.history[:-MAX_HISTORY]
    run.epochs_done = max(run.epochs_done, epoch + 1)
    if run.batch_epoch is not None and run.batch_epoch <= epoch:
        run.batch = run.batch_epoch = None
    if run.watch is None:
        run.watch = watched_metric(metrics)
    for name, value in metrics.items():
        if not isinstance(value, float):
            continue  # not reported, or NaN / infinite: never a best
        best = run.best.get(name)
        if best is None or improves(name, value, best["value"]):
            if name == run.watch and best is not None and not run.muted:
                run.jobs.append({"id": f"line-{epoch}-{len(run.jobs)}", "kind": "line",
                                 "metric": name, "value": value, "was": best["value"], "epoch": epoch})
            run.best[name] = {"value": value, "epoch": epoch}


def watched_metric(metrics: dict[str, Any]) -> str | None:
    """val_loss, or else the first validation metric reported."""
    if "val_loss" in metrics:
        return "val_loss"
    return next((name for name in metrics if name.startswith("val_")), None)


def request_stop(run: Run, user: str) -> bool:
    """Mark the run stopped by `user`; False when it is not running or already asked to stop."""
    if not run.running or run.stop_by is not None:
        return False
    run.stop_by = user
    run.stop_epoch = run.epochs_done
    run.version += 1
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
        return True
    return False


def eta_seconds(run: Run) -> float | None:
    """Time left, from the pace so far (the training side's own clock); None when unknown."""
    if not run.running or not run.total_epochs or run.started_at is None or run.last_event_at is None:
        return None
    progress = float(run.epochs_done)
    if run.batch is not None and run.total_batches and run.batch_epoch == run.epochs_done:
        progress += min(1.0, (run.batch + 1) / run.total_batches)
    elapsed = run.last_event_at - run.started_at
    if progress <= 0 or elapsed <= 0:
        return None
    return max(0.0, elapsed / progress * (run.total_epochs - progress))
