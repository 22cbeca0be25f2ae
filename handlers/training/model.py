"""A training run as Sloth keeps it (stored as JSON, one key per run). Pure data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from handlers.training.metric_names import lower_is_better

__all__ = ["Run", "lower_is_better"]


@dataclass
class Run:
    run_id: str
    name: str
    channel: str  # as the training code named it; card_channel is the ID Slack answered with
    owner: str | None
    total_epochs: int | None
    config: dict[str, Any]
    created: float  # Sloth's clock, like `seen`
    status: str = "running"  # running | completed | stopped | failed | preempted
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
    error: dict[str, Any] | None = None
    dropped: int = 0
    stale: bool = False
    muted: bool = False
    muted_by: str | None = None
    card_channel: str | None = None
    card_ts: str | None = None
    card_link: str | None = None
    card_error: str | None = None
    # Set just before the card is posted ({"by": process, "at": time}) and cleared once its ts is
    # stored: a card found so marked with no ts may have been posted by a process that died.
    card_posting: dict[str, Any] | None = None
    indexed: bool = False  # in the run index (see runs.RunStore.create)
    version: int = 1
    shown: int = 0
    jobs: list[dict[str, Any]] = field(default_factory=list)
    # protocol 2: where the job runs and what it can do
    kind: str = "training"  # or "task": a @notify job
    instance: str | None = None
    host: str | None = None
    pid: int | None = None
    process: str | None = None
    git: dict[str, Any] | None = None
    framework: str | None = None
    mode: str | None = None  # "min" / "max" for `watch`; None: by its name
    patience: int | None = None
    can: list[str] = field(default_factory=lambda: ["stop"])
    system: dict[str, Any] | None = None  # the latest machine sample
    checkpoints: list[dict[str, Any]] = field(default_factory=list)  # the latest few
    best_checkpoint: dict[str, Any] | None = None
    config_changes: list[dict[str, Any]] = field(default_factory=list)  # {"time", "changes", "by"}
    presses: list[dict[str, Any]] = field(default_factory=list)  # {"id", "kind", "by", "at", "status", ...}
    problems: dict[str, dict[str, Any]] = field(default_factory=dict)  # what the client could not send
    notices: list[str] = field(default_factory=list)  # what Sloth noticed (owner not a member, ...)
    alerted: list[str] = field(default_factory=list)  # alert kinds already said in the thread
    diverged: dict[str, Any] | None = None  # {"epoch", "step", "metric"} of the first non-finite loss
    since_best: int = 0  # epochs since the watched metric last improved
    summary: str | None = None  # a task's result
    # protocol 3
    start_config: dict[str, Any] | None = None  # the settings it started with (config follows the LR button)
    interrupted: bool = False  # stopped with Ctrl-C at the job
    ping_after: float | None = 300.0  # a completion after this many seconds mentions the owner; None: never
    pinged: list[str] = field(default_factory=list)  # ends already told to the owner, e.g. "failed-0"
    resumes: list[dict[str, Any]] = field(default_factory=list)  # {"at", "host", "pid", "after", "epoch"}
    rewind: bool = False  # resumed: the first epoch or batch reported says where the job went on from
    improvements: int = 0  # times the watched metric reached a new best
    last_best: dict[str, Any] | None = None  # {"metric", "value", "was", "epoch"}: the latest of them
    tags: list[str] = field(default_factory=list)  # as the job gave them, for the runs page's filter
    alerts_said: list[dict[str, Any]] = field(default_factory=list)  # {"kind", "text", "time"}, for the run page

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
