"""Runs in the store: one key per run, an index of recent runs, and changes by compare-and-set.

Every change reads the run, changes a copy and writes it back only if nobody else wrote in
between (retrying otherwise), so ingest, buttons, the card follower and the sweeper never lose
each other's updates, also when several Sloth processes share a Redis store.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from bot.api import Contention, Namespaced
from handlers.training.state import Run

log = logging.getLogger(__name__)

RUN_TTL = 30 * 86400.0
PREDICTIONS_TTL = 86400.0
MAX_INDEX = 200
MAX_TRIES = 20

T = TypeVar("T")


class ConflictError(RuntimeError):
    """A run kept changing under us; should not happen outside a pathological load."""


class RunStore:
    def __init__(self, store: Namespaced) -> None:
        self.keys = store
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    async def get(self, run_id: str) -> Run | None:
        data = await self.keys.get(f"run:{run_id}")
        return None if data is None else Run.from_json(data)

    async def create(self, run: Run) -> bool:
        """Store a new run; False if it exists already (another request created it first)."""
        if not await self.keys.add(f"run:{run.run_id}", run.to_json(), RUN_TTL):
            return False
        await self._add_to_index(run.run_id)
        return True

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
        """Run IDs, newest first."""
        index = await self.keys.get("index") or []
        return list(reversed(index))

    async def forget(self, run_ids: set[str]) -> None:
        await self._edit_index(lambda ids: [i for i in ids if i not in run_ids])

    async def _add_to_index(self, run_id: str) -> None:
        await self._edit_index(lambda ids: [*[i for i in ids if i != run_id], run_id][-MAX_INDEX:])

    async def _edit_index(self, edit: Callable[[list[str]], list[str]]) -> None:
        try:
            await self.keys.update("index", lambda before: edit(list(before or [])), attempts=MAX_TRIES)
        except Contention:
            raise ConflictError("the run index kept changing") from None

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
