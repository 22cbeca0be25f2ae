"""The runtime's store, watched: whether it can save right now, for `/healthz` and the logs.

Any operation the backend refuses (`StoreUnavailable`: a full disk, a read-only volume, Redis
out of reach) marks the store failing, and the error still reaches the caller, whose member is
told Sloth cannot save. Only a probe clears it: a new key written and deleted, tried each time
`/readyz` (or `/healthz`) asks and when the core feature sweeps. A real write succeeding proves less: a full
SQLite file still lets a row be rewritten in place while every new key is refused.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.store.base import Store, StoreUnavailable, probe

log = logging.getLogger(__name__)
PROBE_SECONDS = 2.0  # a probe that takes longer counts as failed (the health check must answer)


class Watched:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.failing: str | None = None  # why the last refused operation was refused
        self._probe: asyncio.Task[bool] | None = None

    async def get(self, key: str) -> Any | None:
        try:
            return await self.store.get(key)
        except StoreUnavailable as e:
            self._failed(e)
            raise

    async def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        try:
            await self.store.set(key, value, ttl)
        except StoreUnavailable as e:
            self._failed(e)
            raise

    async def delete(self, key: str) -> None:
        try:
            await self.store.delete(key)
        except StoreUnavailable as e:
            self._failed(e)
            raise

    async def compare_and_set(self, key: str, expected: Any | None, new: Any, ttl: float | None = None) -> bool:
        try:
            return await self.store.compare_and_set(key, expected, new, ttl)
        except StoreUnavailable as e:
            self._failed(e)
            raise

    async def sweep(self) -> int:
        """The backend's sweep (freeing space may be what brings a full file back), then a probe
        if the store was failing; a refusal is noted, not raised (the periodic job would only
        log it again)."""
        try:
            removed = await self.store.sweep()
        except StoreUnavailable as e:
            self._failed(e)
            return 0
        if self.failing is not None:
            await self.writable()
        return removed

    async def writable(self) -> bool:
        """True unless the store is failing and a probe now still fails. Callers arriving while
        a probe runs share it, so a burst of health checks costs one write."""
        if self.failing is None:
            return True
        return await self.answers()

    async def answers(self) -> bool:
        """The store takes a new key now: a probe each time (a readiness check; Redis may have
        gone without any operation noticing), shared by callers arriving while one runs."""
        if self._probe is None or self._probe.done():
            self._probe = asyncio.ensure_future(self._try_probe())
        try:
            return await asyncio.wait_for(asyncio.shield(self._probe), PROBE_SECONDS)
        except TimeoutError:
            return False

    async def close(self) -> None:
        if self._probe is not None and not self._probe.done():
            self._probe.cancel()
        await self.store.close()

    async def _try_probe(self) -> bool:
        try:
            await probe(self.store)
        except StoreUnavailable as e:
            self._failed(e)
            return False
        if self.failing is not None:
            log.warning("the store saves again; /readyz is ready again")
        self.failing = None
        return True

    def _failed(self, error: StoreUnavailable) -> None:
        if self.failing is None:
            log.error("the store cannot save: %s. Members are told so, and /readyz answers 503 "
                      "until a write works again", error)
        self.failing = str(error)
