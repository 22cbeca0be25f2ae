"""CPU-heavy work (charts, CSV files) in a small pool of worker processes.

Rendering a chart or building a CSV of ten thousand messages takes from tenths of a second to
seconds of pure Python. Run on the event loop, that would hold up every ack behind it; run in a
thread, it would still compete for the GIL. Worker processes keep the loop free. They run at a
lower CPU priority, so on a small machine the loop still gets a core the moment it needs one.

Two bounds: at most `workers` calls run at once (the rest wait in the executor's queue), and
at most `max_jobs` heavy commands are in progress at all (fetching or rendering); past that,
`job()` refuses with a friendly "busy" so a burst of requests cannot tie up every worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.forkserver as forkserver
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from bot.errors import UserError

log = logging.getLogger(__name__)
T = TypeVar("T")

# Imported once by the fork server, so each worker starts at a low priority with matplotlib
# already loaded; first of all Sloth's own `bot` and `handlers`, whatever the working directory holds.
PRELOAD = ["sloth_bot.own", "bot.cpu_priority", "handlers.charts", "handlers.training.render"]
NICENESS = 10  # as in bot.cpu_priority, which must not be imported here: it would slow this process


def default_workers() -> int:
    # Leave one core to the event loop (and whatever else runs on the machine).
    return max(1, (os.cpu_count() or 2) - 1)


def _lower_priority(niceness: int) -> None:
    # Normally inherited from the fork server already; this covers a server started without it.
    with contextlib.suppress(OSError):
        if os.getpriority(os.PRIO_PROCESS, 0) < niceness:
            os.setpriority(os.PRIO_PROCESS, 0, niceness)


def _context() -> Any:
    # The fork server is a clean process: forking it is safe, unlike forking this process with
    # its threads and event loop, and cheaper than spawning and importing afresh.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


class Busy(UserError):
    """Too many heavy commands are in progress."""


class CpuPool:
    def __init__(self, workers: int | None = None, max_jobs: int = 8) -> None:
        self.workers = workers or default_workers()
        self.max_jobs = max_jobs
        self.jobs = 0  # heavy commands admitted and not yet finished
        self.running = 0  # calls handed to the worker processes and not yet returned
        self.done = 0  # calls that returned (or failed), for tests and metrics
        self._executor: ProcessPoolExecutor | None = None

    @contextlib.asynccontextmanager
    async def job(self) -> AsyncIterator[None]:
        """Admit one heavy command, or refuse with Busy when `max_jobs` are in progress."""
        if self.jobs >= self.max_jobs:
            raise Busy(f"I'm busy with {self.jobs} charts and exports right now; try again in a minute.")
        self.jobs += 1
        try:
            yield
        finally:
            self.jobs -= 1

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker process; both must be picklable (a module-level function)."""
        executor = self._ensure()
        self.running += 1
        try:
            # Submitting may start a worker process, which waits for the fork server (the first
            # time, for it to import matplotlib): do that in a thread, never on the event loop.
            future = await asyncio.to_thread(executor.submit, function, *args)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): start afresh next time instead of failing forever.
            log.error("a worker process died; the pool will be restarted")
            self._discard(executor)
            raise
        finally:
            self.running -= 1
            self.done += 1

    async def prepare(self) -> None:
        """Start the fork server now, in a thread, so that its one-off import of matplotlib (about
        a second of CPU) happens while Sloth starts, not while the first chart is asked for."""
        _context()
        await asyncio.to_thread(forkserver.ensure_running)

    def _ensure(self) -> ProcessPoolExecutor:
        if self._executor is None:
            niceness = min(19, os.getpriority(os.PRIO_PROCESS, 0) + NICENESS)
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=_context(), initializer=_lower_priority, initargs=(niceness,)
            )
        return self._executor

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        if self._executor is executor:
            self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
