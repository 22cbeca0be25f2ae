"""Features' scheduled jobs (`router.every`, `router.daily`), run by one loop per runtime.

Times come from the runtime's clock, so a test that moves a fake clock and calls `tick` runs
exactly the jobs that are due, without sleeping. Each run of a job claims its slot (the period
it belongs to) in the store first: with a store shared by several Sloth processes, only one of
them runs it. Jobs marked `per_process` (refreshing a process's own cache) skip the claim.
A job runs its first time when Sloth starts; a job still running when it is due again is skipped.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from bot import guard
from bot.features.context import Context
from bot.features.registry import Feature
from bot.features.router import Job
from bot.pure.times import parse_time_of_day, time_zone
from bot.store import Namespaced
from bot.work.blocking import call

log = logging.getLogger(__name__)
MAX_WAIT = 60.0  # look again at least this often (a clock change, a job added late)


class Scheduled:
    def __init__(self, job: Job, feature: Feature, ctx: Context) -> None:
        self.job, self.feature, self.ctx = job, feature, ctx
        period = job.period(ctx) if callable(job.period) else job.period
        self.period = float(period) if period is not None else None
        at = job.at(ctx) if callable(job.at) else job.at
        self.at = parse_time_of_day(at) if at is not None else None
        self.zone = time_zone(job.tz(ctx) if callable(job.tz) else job.tz)
        self.due = ctx.clock() if self.period is not None else self._next_daily(ctx.clock())
        self.running = False

    @property
    def key(self) -> str:
        return f"{self.feature.name}:{self.job.name}"

    def slot(self, now: float) -> str:
        if self.period is not None:
            return str(math.floor(now / self.period))
        return datetime.fromtimestamp(now, self.zone).date().isoformat()

    def advance(self, now: float) -> None:
        if self.period is not None:
            self.due = now + self.period
        else:
            self.due = self._next_daily(now + 1)

    def claim_ttl(self) -> float:
        return 2 * self.period if self.period is not None else 2 * 86400.0

    def _next_daily(self, now: float) -> float:
        assert self.at is not None
        today = datetime.fromtimestamp(now, self.zone)
        at = today.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if at.timestamp() < now:
            at += timedelta(days=1)
        return at.timestamp()


class Scheduler:
    def __init__(self, jobs: list[Scheduled], claims: Namespaced, clock: Callable[[], float]) -> None:
        self.jobs = jobs
        self.claims = claims
        self.clock = clock
        self._tasks: set[asyncio.Task[bool]] = set()

    def _start_due(self) -> list[asyncio.Task[bool]]:
        now = self.clock()
        started = []
        for scheduled in self.jobs:
            if scheduled.due <= now and not scheduled.running:
                scheduled.advance(now)
                scheduled.running = True  # before the task starts, so no second tick starts it again
                task = asyncio.create_task(self._run(scheduled, now), name=f"job-{scheduled.key}")
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                started.append(task)
        return started

    async def tick(self) -> int:
        """Run every job that is due now and wait for them; how many ran in this process."""
        return sum(await asyncio.gather(*self._start_due()))

    async def wait_idle(self) -> None:
        """Wait for every job that is running to finish."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _run(self, scheduled: Scheduled, now: float) -> bool:
        job = scheduled.job
        try:
            if not job.per_process and not await self.claims.add(
                    f"{scheduled.key}:{scheduled.slot(now)}", True, scheduled.claim_ttl()):
                return False  # another Sloth process has this one
            # A scope per run: what this run reads from the store is input to the guard, and no other run's.
            with guard.handling(guard.Scope(name_of=scheduled.ctx.directory.display_name)):
                await call(scheduled.feature.name, f"job {job.name}", job.handler, scheduled.ctx)
        except Exception:
            log.exception("the job %s of the %s feature failed; it runs again when next due",
                          job.name, scheduled.feature.name)
        finally:
            scheduled.running = False
        return True

    async def run(self) -> None:
        """The background loop: start jobs as they fall due (a slow one holds up no other)."""
        try:
            while True:
                self._start_due()
                soonest = min((s.due for s in self.jobs), default=math.inf) - self.clock()
                await asyncio.sleep(max(0.01, min(soonest, MAX_WAIT)))
        finally:
            for task in list(self._tasks):
                task.cancel()

