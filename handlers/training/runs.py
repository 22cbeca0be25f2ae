"""Runs in the store: one key per run, the index of runs (`run_index`), each run's series
(`series`: every step, the machine over time), and changes by compare-and-set.

Every change reads the run, changes a copy and writes it back only if nobody else wrote in
between (retrying otherwise), so ingest, buttons, the card follower and the sweeper never lose
each other's updates, also when several Sloth processes share a Redis store.

Each Sloth process (each runtime) says it is alive under a key of its own that expires unless
renewed (`beat`): a card that a process set out to post is left to it while it lives.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from bot.api import Contention, Namespaced
from handlers.training.run_index import ConflictError, RunIndex
from handlers.training.series import Series
from handlers.training.state import Run

log = logging.getLogger(__name__)

RUN_TTL = 30 * 86400.0
PREDICTIONS_TTL = 86400.0
MAX_TRIES = 20
ALIVE_SECONDS = 8.0  # a process that has not said it is alive for this long is taken for dead
ALIVE_EVERY = 2.0  # how often each process says so

T = TypeVar("T")
__all__ = ["ConflictError", "RunStore"]


class RunStore:
    def __init__(self, store: Namespaced) -> None:
        self.keys = store
        self.index = RunIndex(store)
        self.series = Series(store)  # every step's metrics and the machine over time, per run
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    async def get(self, run_id: str) -> Run | None:
        data = await self.keys.get(f"run:{run_id}")
        return None if data is None else Run.from_json(data)

    async def create(self, run: Run) -> bool:
        """Store a new run; False if it exists already (another request created it first).
        The caller indexes it next (`index.add`), and marks it `indexed` once that is done."""
        return await self.keys.add(f"run:{run.run_id}", run.to_json(), RUN_TTL)

    async def change(self, run_id: str, edit: Callable[[Run], T]) -> tuple[Run, T] | None:
        """Apply `edit` to the stored run atomically; (the run as written, edit's result).

        `edit` changes the run in place and may be called more than once, on fresh copies.
        None when there is no such run.
        """
        outcome: list[tuple[Run, T]] = []

        def change(before: Any) -> Any:
            outcome.clear()
            if before is None:
                return None  # no such run (expired): nothing to write
            run = Run.from_json(copy.deepcopy(before))  # edit must not touch `before`
            outcome.append((run, edit(run)))
            return run.to_json()

        try:
            await self.keys.update(f"run:{run_id}", change, RUN_TTL, attempts=MAX_TRIES)
        except Contention:
            raise ConflictError(f"run {run_id} kept changing; gave up after {MAX_TRIES} tries") from None
        return outcome[0] if outcome else None

    async def recent(self) -> list[str]:
        """Every kept run's ID, newest first."""
        return list(reversed(await self.index.ids()))

    async def forget(self, run_ids: set[str]) -> None:
        """Take expired runs out of the index. A run created again meanwhile (a job reporting
        under an expired run's id) is indexed again: its creator may have found it indexed."""
        await self.index.remove(run_ids)
        for run_id in run_ids:
            if await self.get(run_id) is not None:
                await self.index.add(run_id)

    async def beat(self, process: str) -> None:
        await self.keys.set(f"alive:{process}", True, ALIVE_SECONDS)

    async def alive(self, process: str) -> bool:
        return bool(await self.keys.get(f"alive:{process}"))

    async def save_predictions(self, run_id: str, seq: int, event: dict[str, Any]) -> None:
        await self.keys.set(f"predictions:{run_id}:{seq}", event, PREDICTIONS_TTL)

    async def predictions(self, run_id: str, seq: int) -> dict[str, Any] | None:
        found: dict[str, Any] | None = await self.keys.get(f"predictions:{run_id}:{seq}")
        return found

    async def claim(self, what: str, ttl: float) -> bool:
        """True for the first caller within `ttl`: one Sloth process posts a card or a picture."""
        return await self.keys.add(f"claim:{what}", True, ttl)

    @contextlib.asynccontextmanager
    async def serial(self, run_id: str) -> AsyncIterator[None]:
        """One request of a run at a time in this process (the store's CAS covers the others)."""
        lock = self._locks.setdefault(run_id, asyncio.Lock())
        self._waiting[run_id] = self._waiting.get(run_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[run_id] -= 1
            if not self._waiting[run_id]:
                del self._waiting[run_id], self._locks[run_id]
