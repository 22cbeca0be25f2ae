"""The `sloth worker` process: `async with Worker(settings, registry) as worker: await worker.wait()`.

Entering checks the bot token, opens the store (it must be Redis: the queue lives there), the
member directory (read from the store, for the access rule; with many workspaces, each
workspace's installation, client and directory once a job names it: `bot.worker.seats`), this
worker's own processes (their fork server preloads the features' worker modules, as Sloth's does), starts taking jobs on
both lanes and serves /livez, /readyz and /metrics on SLOTH_HTTP_PORT. SIGTERM stops taking jobs
and lets those in progress finish for up to `GRACE` seconds; any still running then are put back
on the queue for another worker. A worker killed
outright leaves its jobs to the sweep of the others (bot.work.lanes): none is lost.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from types import TracebackType
from typing import Any

import aiohttp
from saq import Worker as SaqWorker
from slack_sdk.errors import SlackApiError

from bot.config.settings import Settings
from bot.features.registry import Registry
from bot.http.server import make_web_app, serve
from bot.slack.client import MeteredWebClient, make_client
from bot.store import Namespaced, StoreOpenError, open_store
from bot.store.health import Watched
from bot.work.cpu import CpuPool
from bot.work.lanes import HEAVY, QUICK, SWEEP_EVERY, WORKER_INFO_EVERY, Lane, open_queue
from bot.work.metrics import Metrics
from bot.worker.jobs import Maker
from bot.worker.seats import ManyWorkspaces, OneWorkspace, Seats, seat_on

log = logging.getLogger(__name__)
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
GRACE = 20  # seconds jobs in progress get to finish after SIGTERM (Kubernetes waits 30 by default)
QUICK_AT_ONCE = 4  # quick jobs (moves) at once, each in a thread
DEQUEUE_WAIT = 1.0  # seconds a dequeue blocks, so stopping never waits on an idle lane


class WorkerError(Exception):
    """The worker cannot run as configured; the message tells the operator what to fix."""


class Worker:
    def __init__(self, settings: Settings, registry: Registry) -> None:
        self.settings = settings
        self.registry = registry
        self.metrics = Metrics()
        self.id = f"{socket.gethostname()}-{os.getpid()}"
        self._stop = asyncio.Event()
        self._closers: list[Any] = []
        self._running: list[asyncio.Task[None]] = []
        self.lanes: list[SaqWorker[Any]] = []
        self.http_port = 0  # its probes and /metrics (SLOTH_HTTP_PORT), once started

    async def __aenter__(self) -> Worker:
        try:
            await self._start()
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(self, *exc: object | TracebackType | None) -> None:
        await self._close()

    async def _start(self) -> None:
        settings = self.settings
        if not settings.store_url.startswith(REDIS_SCHEMES):
            raise WorkerError("`sloth worker` runs the job queue, which lives in Redis: set SLOTH_STORE_URL to "
                              "the redis://… URL Sloth's replicas use. Without Redis, Sloth makes charts itself.")
        session = aiohttp.ClientSession()
        self._closers.append(session.close)
        client = None if settings.workspaces == "many" else await self._check_bot_token(session)
        try:
            store = Watched(await open_store(settings.store_url))
        except StoreOpenError as e:
            raise WorkerError(str(e)) from None
        self._closers.append(store.close)
        seats: Seats
        if client is None:
            seats = ManyWorkspaces(settings, store, session, self.metrics)
            log.info("uploading into the workspaces Sloth is installed in (%d now)",
                     len(await seats.installations.teams()))
        else:
            seats = OneWorkspace(seat_on(client, store))
        self._closers.append(seats.close)
        self.pool = CpuPool(settings.render_workers or None, preload=self.registry.worker_modules())
        self._closers.append(self.pool.close)
        self.maker = Maker(self.pool, seats, Namespaced(store, "queue"), self.registry.worker_modules(), self.metrics)
        for lane, at_once in ((HEAVY, 2 * self.pool.workers), (QUICK, QUICK_AT_ONCE)):
            await self._serve(lane, at_once)
        await self.pool.prepare()
        # Probes and metrics, as a replica's: live while the loop answers, ready while it takes jobs
        # and the store answers.
        side, self.http_port = await serve(
            make_web_app(self.metrics, self.taking_jobs, checks={"store": store.answers}, transport="worker"),
            settings.http_host, settings.http_port, settings.http_limits, self.metrics)
        self._closers.append(side.cleanup)
        log.info("worker %s takes jobs: %d worker processes, %d quick jobs at once; /livez, /readyz and /metrics "
                 "on port %d", self.id, self.pool.workers, QUICK_AT_ONCE, self.http_port)

    async def _check_bot_token(self, session: aiohttp.ClientSession) -> MeteredWebClient:
        client = make_client(self.settings.bot_token, self.settings.api_url, session, self.metrics)
        try:
            client.team = (await client.auth_test())["team_id"]
        except SlackApiError as e:
            raise WorkerError(f"Slack refused SLACK_BOT_TOKEN ({e.response.get('error', '')}): the worker "
                              "uploads files as Sloth, with the same token as `sloth run`.") from None
        except aiohttp.ClientError as e:
            raise WorkerError(f"Cannot reach Slack at {self.settings.api_url}: {e}") from None
        return client

    async def _serve(self, lane: Lane, at_once: int) -> None:
        queue = open_queue(self.settings.store_url, lane)
        await queue.connect()
        self._closers.append(queue.disconnect)
        # Twice the processes on the heavy lane: while one job uploads, the next is drawn.
        worker: SaqWorker[Any] = SaqWorker(
            queue, [("make", self.maker.make)], id=f"{self.id}-{lane.name}", concurrency=at_once,
            timers={"sweep": SWEEP_EVERY, "worker_info": WORKER_INFO_EVERY, "schedule": 1, "abort": 1},
            dequeue_timeout=DEQUEUE_WAIT, shutdown_grace_period_s=GRACE,
            metadata={"host": socket.gethostname(), "pid": os.getpid()})
        worker.SIGNALS = []  # SIGTERM is Sloth's to handle: both lanes stop together
        self.lanes.append(worker)
        self._running.append(asyncio.create_task(worker.start(), name=f"lane-{lane.name}"))

    async def taking_jobs(self) -> bool:
        return not self._stop.is_set() and bool(self._running) and not any(task.done() for task in self._running)

    def request_stop(self) -> None:
        self._stop.set()

    async def wait(self) -> int:
        """Run until asked to stop (SIGTERM) or a lane stops by itself; the process exit code."""
        stopped = asyncio.ensure_future(self._stop.wait())
        await asyncio.wait([stopped, *self._running], return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        failed = [task for task in self._running if task.done()]
        for task in failed:
            log.error("the %s stopped by itself: %r", task.get_name(), task.exception())
        return 1 if failed else 0

    async def _close(self) -> None:
        if self.lanes:
            log.info("stopping: jobs in progress get %d s to finish, then go back on the queue", GRACE)
        await asyncio.gather(*(lane.stop() for lane in self.lanes), return_exceptions=True)
        await asyncio.gather(*self._running, return_exceptions=True)
        for close in reversed(self._closers):
            try:
                await close()
            except Exception:
                log.exception("error while closing")
        self._closers.clear()
