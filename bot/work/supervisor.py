"""Background tasks with references kept and failures reported; a bounded worker pool."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from bot import guard
from bot.work.requests import handling_request

log = logging.getLogger(__name__)


class Supervisor:
    """Owns every background task: keeps a reference, logs a crash, cancels on close."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        # A fresh context: a background task must not carry the request that happened to start
        # it (bot.guard reads the request in progress from a context variable); it gets a guard
        # scope of its own, so what it reads from the store is input when it sends.
        task = asyncio.create_task(coro, name=name, context=guard.fresh_context())
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class WorkerPool:
    """A fixed number of workers taking jobs from a queue: bounded concurrency, no task per job.

    Each job is one request: its log records carry a request id of their own (`bot.work.requests`)."""

    def __init__(self, supervisor: Supervisor, size: int, on_depth: Callable[[int], None] | None = None) -> None:
        self.queue: asyncio.Queue[Callable[[], Awaitable[None]] | None] = asyncio.Queue()
        self.on_depth = on_depth or (lambda depth: None)
        self.accepting = True
        self.workers = [supervisor.spawn(self._work(), name=f"worker-{i}") for i in range(size)]

    def submit(self, job: Callable[[], Awaitable[None]]) -> bool:
        if not self.accepting:
            return False
        self.queue.put_nowait(job)
        self.on_depth(self.queue.qsize())
        return True

    async def _work(self) -> None:
        while True:
            job = await self.queue.get()
            try:
                if job is None:
                    return
                with handling_request():
                    await job()
            except Exception:
                log.exception("a job failed outside its own error handling")
            finally:
                self.queue.task_done()
                self.on_depth(self.queue.qsize())

    async def drain(self, limit: float) -> bool:
        """Stop taking jobs, wait up to `limit` seconds for the queued ones; True if all finished."""
        self.accepting = False
        try:
            await asyncio.wait_for(self.queue.join(), limit)
            return True
        except TimeoutError:
            return False
        finally:
            for _ in self.workers:
                self.queue.put_nowait(None)
