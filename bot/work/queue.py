"""Heavy work on the job queue: `ctx.cpu` when the store is Redis and a `sloth worker` is alive.

The same shape as the in-process pool (`bot.work.cpu.CpuPool`): `run(task, *args)` returns what
the task returned, `job()` admits a heavy command. The task is put on its lane (`bot.work.lanes`)
as a job, a worker (on this machine or another) runs it, and this replica waits for the outcome:
Redis tells it at once when a job changes, and it looks again every second in case a notice was
missed. A file made with `made(...)` is also uploaded by that worker (`remote_upload`), so its
bytes never come back here.

No worker alive (none deployed yet, or all restarting)? The work is done here, in this process's
own pool, as without Redis, and the log says so once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from slack_sdk.errors import SlackApiError

from bot.pure.errors import UserError
from bot.pure.tasks import Made, Task
from bot.work import codec
from bot.work.cpu import Busy, CpuPool
from bot.work.lanes import HEAVY, LANES, QUICK, FileTo, Lane, job_kwargs, open_queue
from bot.work.metrics import Metrics
from bot.work.requests import request_id

if TYPE_CHECKING:
    from saq.job import Job
    from saq.queue.redis import RedisQueue

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
ALIVE_SECONDS = 2.0  # how long what the queue said about live workers is trusted
LOOK_AGAIN = 1.0  # seconds between looks at a job, in case Redis's notice of its end was missed
WATCH_EVERY = 5.0  # seconds between readings of the queue's length for /metrics
QUEUED_JOBS = 100  # per replica; each is a coroutine waiting on Redis, not a process
KEEPALIVE = "sloth-keepalive"  # a job key nobody uses: keeps this replica's subscription open


class JobFailed(UserError):
    """A job failed on every attempt (or waited too long); the member is told, with the error id."""


class QueuedWork:
    queued = True

    def __init__(self, url: str, metrics: Metrics, local: CpuPool, max_jobs: int = QUEUED_JOBS) -> None:
        self.metrics = metrics
        self.local = local  # when no worker is alive; its admission counts this replica's heavy commands
        self.max_jobs = max_jobs  # heavy commands this replica waits on while workers make them
        self.jobs = 0
        self.queues = {lane.name: open_queue(url, lane) for lane in LANES}
        self._alive: tuple[float, bool] = (0.0, False)
        self._said_alone = False
        self._listeners: list[asyncio.Task[None]] = []

    # -- the shape of CpuPool ------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def job(self) -> AsyncIterator[None]:
        """Admit one heavy command. With workers alive the replica only waits for them, so it takes
        many more than its own pool would; the queue lines them up for the workers."""
        if not await self.workers_alive():
            async with self.local.job():
                yield
            return
        if self.jobs >= self.max_jobs:
            raise Busy(f"I'm waiting on {self.jobs} charts and exports right now; try again in a minute.")
        self.jobs += 1
        try:
            yield
        finally:
            self.jobs -= 1

    async def run(self, function: Callable[P, T] | Task[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        task = as_task(function)
        lane = QUICK if task.quick else HEAVY
        if not await self.workers_alive():
            self.metrics.jobs_done.labels(lane.name, "local").inc()
            return await self.local.run(task, *args, **kwargs)
        outcome = await self._submit(lane, task, args, kwargs, None)
        result: T = codec.load(outcome["value"])
        return result

    async def remote_upload(self, made: Made, file: FileTo) -> dict[str, Any] | None:
        """Have a worker make the file and upload it; what `upload` answers (id, name, title,
        permalink, shared). None when no worker is alive: the caller makes and uploads it itself."""
        if not await self.workers_alive():
            return None
        outcome = await self._submit(HEAVY, made.task, made.args, made.kwargs, file)
        found: dict[str, Any] = outcome["file"]
        return found

    async def prepare(self) -> None:
        for queue in self.queues.values():
            await queue.connect()
            # One subscription kept for the replica's life: each job's own then starts at once.
            self._listeners.append(asyncio.create_task(
                queue.listen([KEEPALIVE], lambda key, status: False, timeout=None), name="queue-keepalive"))

    async def close(self) -> None:
        for task in self._listeners:
            task.cancel()
        await asyncio.gather(*self._listeners, return_exceptions=True)
        for queue in self.queues.values():
            with contextlib.suppress(Exception):
                await queue.disconnect()
        await self.local.close()

    # -- workers, jobs, outcomes ----------------------------------------------------------------

    async def workers_alive(self) -> bool:
        checked, alive = self._alive
        if time.monotonic() - checked < ALIVE_SECONDS:
            return alive
        info = await self.queues[HEAVY.name].info()
        alive = bool(info["workers"])
        self.metrics.queue_workers.set(len(info["workers"]))
        self._alive = (time.monotonic(), alive)
        if not alive and not self._said_alone:
            log.warning("no `sloth worker` is alive: charts, exports and moves are made in this process "
                        "until one is")
        elif alive and self._said_alone:
            log.info("a `sloth worker` is alive again: heavy work goes to the job queue")
        self._said_alone = not alive
        return alive

    async def _submit(self, lane: Lane, task: Task[Any, Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                      file: FileTo | None) -> dict[str, Any]:
        queue = self.queues[lane.name]
        job = await queue.enqueue(
            "make", **job_kwargs(task.path, codec.dump(list(args)), codec.dump(kwargs), file),
            timeout=lane.timeout, heartbeat=lane.heartbeat, retries=lane.attempts, ttl=3600)
        assert job is not None  # a new key each time: never already queued
        log.info("queued %s on the %s lane as job %s", task.path, lane.name, job.key)
        try:
            done = await asyncio.wait_for(self._outcome(queue, job.key), lane.patience)
        except TimeoutError:
            self.metrics.jobs_done.labels(lane.name, "failed").inc()
            log.error("job %s (%s) did not finish within %.0f s", job.key, task.path, lane.patience)
            raise JobFailed(failed_text("it took too long")) from None
        return self._result(lane, task, done)

    async def _outcome(self, queue: RedisQueue, key: str) -> Job:
        from saq.job import TERMINAL_STATUSES

        while True:
            job = await queue.job(key)
            if job is None:
                raise JobFailed(failed_text("its job was lost"))
            if job.status in TERMINAL_STATUSES:
                return job
            with contextlib.suppress(TimeoutError):
                await queue.listen([key], lambda _key, status: status in TERMINAL_STATUSES, timeout=LOOK_AGAIN)

    def _result(self, lane: Lane, task: Task[Any, Any], job: Job) -> dict[str, Any]:
        from saq.job import Status

        if job.attempts > 1:
            self.metrics.job_retries.labels(lane.name).inc(job.attempts - 1)
        for histogram, kind in ((self.metrics.job_wait, "start"), (self.metrics.job_run, "process")):
            millis = job.duration(kind)  # type: ignore[arg-type]
            if millis is not None:
                histogram.labels(lane.name).observe(millis / 1000)
        outcome: dict[str, Any] = job.result if isinstance(job.result, dict) else {}
        if job.status != Status.COMPLETE:
            self.metrics.jobs_done.labels(lane.name, "failed").inc()
            last = (job.error or "").strip().splitlines()[-1:] or ["no reason given"]
            log.error("job %s (%s) %s after %d attempts: %s", job.key, task.path, job.status.value, job.attempts,
                      last[0])
            raise JobFailed(failed_text(f"the worker making it failed {job.attempts} times"))
        if "refused" in outcome:
            self.metrics.jobs_done.labels(lane.name, "refused").inc()
            raise UserError(str(outcome["refused"]))
        if "slack_error" in outcome:
            self.metrics.jobs_done.labels(lane.name, "refused").inc()
            raise SlackApiError(f"the worker's call failed: {outcome['slack_error']}",
                                {"ok": False, "error": outcome["slack_error"], "needed": outcome.get("needed")})
        self.metrics.jobs_done.labels(lane.name, "done").inc()
        return outcome

    async def watch(self) -> None:
        """For /metrics: the queue's length by lane, every few seconds (a background task)."""
        while True:
            for lane in LANES:
                with contextlib.suppress(Exception):
                    info = await self.queues[lane.name].info()
                    for state in ("queued", "active", "scheduled"):
                        self.metrics.jobs_waiting.labels(lane.name, state).set(info[state])
                    self.metrics.queue_workers.set(len(info["workers"]))
            await asyncio.sleep(WATCH_EVERY)


def as_task(function: Callable[..., Any] | Task[Any, Any]) -> Task[Any, Any]:
    """A task, or a module-level function named by its import path the same way."""
    if isinstance(function, Task):
        return function
    if "<locals>" in function.__qualname__ or "." in function.__qualname__:
        raise TypeError(f"{function.__qualname__} is not a module-level function; the job queue names it by path")
    return Task(f"{function.__module__}:{function.__qualname__}")


def failed_text(why: str) -> str:
    return (f"Sorry, I couldn't finish that: {why}. It has been logged (error id `{request_id() or '-'}`); "
            "please try again in a while.")
