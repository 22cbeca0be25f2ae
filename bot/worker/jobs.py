"""One job of the queue, in a `sloth worker`: make what the task makes, and upload a file.

A job names its task by import path; only a function of a module some feature declared in
`Router(workers=...)` is run (whoever can write to the Redis must not choose what runs here).
The task runs in this worker's own processes (`bot.work.cpu`), a quick one in a thread.

A file is uploaded as the replica would have: into the workspace that asked (`bot.worker.seats`),
for the member who asked, inside their request (`bot.slack.asking`, so the access rule checks
they may see where it goes), with the guard set up from what they typed (its comment was already
cleaned by the replica, which knew everything the request read), remembered as theirs (`files`
offers them Delete). An upload done is noted under the job's key, so an attempt after a worker
died past that point answers with the same file instead of uploading it twice.

Outcomes the member must hear about (a refusal, a Slack error) are the job's result, not its
failure: retrying would not change them. Anything else fails the attempt, and SAQ retries it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot import guard
from bot.pure.errors import UserError
from bot.slack.asking import asking
from bot.slack.uploads import put_file, shared_file
from bot.store import Namespaced
from bot.work.codec import Unreadable
from bot.work.cpu import CpuPool, call_job
from bot.work.lanes import HEARTBEAT_EVERY, QUICK, FileTo
from bot.work.metrics import Metrics
from bot.work.requests import handling_request
from bot.worker.seats import Seat, Seats

if TYPE_CHECKING:
    from saq.job import Job

log = logging.getLogger(__name__)
DONE_SECONDS = 86400.0  # how long an upload done is remembered against a retry of its job


class Maker:
    def __init__(self, pool: CpuPool, seats: Seats, done: Namespaced, allowed: list[str],
                 metrics: Metrics | None = None) -> None:
        self.pool = pool
        self.metrics = metrics or Metrics()
        self.seats = seats  # the workspace a file goes to: its client, directory and uploads (bot.worker.seats)
        self.done = done  # the store's `queue` namespace: uploads done, by job key
        self.allowed = frozenset(allowed)
        self.finished = 0  # jobs done here, for tests and the log

    async def make(self, ctx: dict[str, Any], *, task: str, args: Any, keywords: Any, request: str = "",
                   file: dict[str, Any] | None = None) -> dict[str, Any]:
        """The job function SAQ calls (`ctx["job"]` is the job)."""
        job: Job = ctx["job"]
        with handling_request(request or None):
            started = time.monotonic()
            log.info("job %s: %s, attempt %d", job.key, task, job.attempts)
            beating = asyncio.create_task(heartbeat(job))
            kind = "failed"
            try:
                outcome = await self._make(job, task, args, keywords, FileTo.from_job(file) if file else None)
                kind = next(iter(outcome))
            finally:
                beating.cancel()
                # Only declared tasks by name: whoever can write to the Redis must not mint labels.
                named = task if task.partition(":")[0] in self.allowed else "undeclared"
                self.metrics.worker_jobs.labels(named, kind).observe(time.monotonic() - started)
            self.finished += 1
            log.info("job %s: %s in %.2fs", job.key, kind, time.monotonic() - started)
            return outcome

    async def _make(self, job: Job, task: str, args: Any, kwargs: Any, file: FileTo | None) -> dict[str, Any]:
        if task.partition(":")[0] not in self.allowed:
            log.error("job %s names %s, which no feature declared as a worker module: not run", job.key, task)
            return {"refused": "I can't do that here."}
        try:
            seat = None
            if file is not None:
                done = await self.done.get(job.key)
                if isinstance(done, dict):
                    log.info("job %s: its file was uploaded by an earlier attempt", job.key)
                    return {"file": done}
                seat = await self.seats.seat(file.team)  # before drawing: nothing made for nowhere
            quick = job.queue is not None and job.queue.name == QUICK.queue_name
            if quick:
                result = await asyncio.to_thread(call_job, task, args, kwargs, file is None)
            else:
                result = await self.pool.run(call_job, task, args, kwargs, file is None)
            if file is None or seat is None:
                return {"value": result}
            return {"file": await self._upload(job.key, seat, file, result)}
        except UserError as e:
            return {"refused": str(e)}
        except SlackApiError as e:
            code = str(e.response.get("error", "error"))
            log.info("job %s: Slack answered %s", job.key, code)
            return {"slack_error": code, "needed": e.response.get("needed")}
        except Unreadable as e:
            log.error("job %s could not be read: %s", job.key, e)
            return {"refused": "I couldn't read that job."}

    async def _upload(self, key: str, seat: Seat, file: FileTo, data: bytes) -> dict[str, Any]:
        if not data:
            raise UserError(f"`{file.filename}` is empty, and Slack takes no empty files.")
        scope = guard.Scope(typed=file.typed, asker=file.requester, users=file.users, links=file.links,
                            everyone=file.everyone, name_of=seat.directory.display_name)
        with asking(file.requester, file.channel) as request, guard.handling(scope):
            request.revealed.update(file.revealed)
            file_id = await put_file(seat.client, file.channel, file.thread, data, file.filename, file.title,
                                     file.initial_comment, file.alt)
        await seat.uploads.remember(file_id, file.requester, file.channel, file.filename)
        info = await shared_file(seat.client, file_id)
        answer = {"id": file_id, "name": file.filename, "title": file.title,
                  "permalink": info.get("permalink") if info else None, "shared": info is not None}
        await self.done.set(key, answer, ttl=DONE_SECONDS)
        return answer


async def heartbeat(job: Job) -> None:
    """Tell the queue this worker is alive on `job`: without it, the job is taken for lost and retried."""
    while True:
        await asyncio.sleep(HEARTBEAT_EVERY)
        with contextlib.suppress(Exception):
            await job.update()
