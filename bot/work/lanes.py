"""The job queue's lanes and the shape of a job: what a replica puts on the queue for `sloth worker`.

Two lanes, each a SAQ queue in Redis served by every worker: `heavy` (charts, exports, training
pictures: seconds of work, a chart is as good a minute later) and `quick` (Sloth's move in a
game: someone is watching the board), so a move never waits behind twenty charts.

A job dies with its worker only for a moment: the worker heartbeats each job it holds, and any
live worker's sweep finds a job whose heartbeat stopped (its worker was killed or lost), and puts
it back on the queue, up to `attempts` in all; a job that fails every attempt is failed, and the
replica that asked tells the member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.work.requests import request_id

if TYPE_CHECKING:
    from saq.queue.redis import RedisQueue

HEARTBEAT_EVERY = 2.0  # seconds between a worker's heartbeats of a job it holds (each rewrites the job)
SWEEP_EVERY = 1  # seconds between a worker's looks for jobs whose worker died (one worker a round)
WORKER_INFO_EVERY = 2  # seconds between a worker's "alive" notes; each lasts one second longer


@dataclass(frozen=True)
class Lane:
    name: str
    timeout: int  # seconds an attempt may take; then it is cancelled (or swept, its worker gone)
    heartbeat: int  # seconds without a heartbeat after which an attempt's worker counts as dead
    attempts: int  # tries in all, the first included

    @property
    def queue_name(self) -> str:
        return f"sloth.{self.name}"

    @property
    def patience(self) -> float:
        """How long a replica waits for one of its jobs at most: every attempt, and some room."""
        return float(self.timeout * self.attempts + 120)


HEAVY = Lane("heavy", timeout=300, heartbeat=8, attempts=3)
QUICK = Lane("quick", timeout=30, heartbeat=8, attempts=3)
LANES = (HEAVY, QUICK)


def open_queue(url: str, lane: Lane) -> RedisQueue:
    """The lane's queue on the Redis at `url` (not yet connected: `await queue.connect()`)."""
    from redis import asyncio as aioredis
    from saq.queue.redis import RedisQueue

    # Its own connections: a worker's dequeue blocks one for up to a second at a time.
    return RedisQueue(aioredis.from_url(url, socket_connect_timeout=5), name=lane.queue_name)


@dataclass(frozen=True)
class FileTo:
    """Where a worker uploads the file it made, and as whom: what `upload()` was given, the
    workspace that asked, and what the guard and the access rule knew of the request (bot.guard,
    bot.slack.access)."""

    requester: str
    channel: str
    thread: str | None
    filename: str
    title: str
    initial_comment: str  # the names Slack's own fields have, so logs withhold them (bot.runtime.logs)
    alt: str = ""
    typed: str = ""  # what the member typed: mentions in it stay inert in the file's comment
    users: bool = False
    links: bool = False
    everyone: bool = False
    revealed: tuple[str, ...] = ()  # private conversations whose content is in the file
    team: str = ""  # the workspace that asked: with many, the worker uploads with its bot token

    def to_job(self) -> dict[str, Any]:
        return {**self.__dict__, "revealed": list(self.revealed)}

    @classmethod
    def from_job(cls, data: dict[str, Any]) -> FileTo:
        return cls(**{**data, "revealed": tuple(data.get("revealed") or ())})


def job_kwargs(task: str, args: Any, kwargs: Any, file: FileTo | None) -> dict[str, Any]:
    """The job's arguments: all JSON (`bot.work.codec` made `args` and `kwargs` so). None is named
    like a field of SAQ's Job (`kwargs` is one), which `enqueue` would take as the job's own."""
    return {"task": task, "args": args, "keywords": kwargs, "request": request_id(),
            "file": file.to_job() if file is not None else None}
