"""The directories' copy in the store, so a restart or a new replica answers at once.

Walking users.list and conversations.list on a 20,000-member workspace takes a minute of Tier 2
calls; a 30 MB JSON value read whole on every question would hold the event loop instead. So
each process keeps the rows in memory (`bot.slack.directory`), and the store holds them in
shards (`directory:users:<n>`, rows spread by a hash of their ID) with one small index
(`directory:index`): for each kind, when the lists were last walked and a version per shard.

- A process that starts reads the shards once (a fraction of a second for 20,000 members).
- A change from an event is applied to memory at once and written soon after, merged into its
  shard (only the rows that changed, so two replicas' changes to one shard both stay), and the
  shard's version goes up.
- Before answering, a process looks at the index (one small read, at most every half second)
  and reads again only the shards another process changed: an event that reached one replica
  is seen by all.
- A walk of the lists (the first ever, or the periodic re-sync, once per deployment) rewrites
  only the shards whose rows differ from what is stored, and the order Slack listed them in
  (`directory:users:order`) if it changed: a restarted process lists members as before.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import time
import zlib
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any, TypeVar

from bot.store import Namespaced

log = logging.getLogger(__name__)
T = TypeVar("T")
Rows = dict[str, dict[str, Any]]
KINDS = ("users", "channels")
SHARDS = 256  # 20,000 members: about 80 a shard, some 120 KB of JSON each
FRESH_SECONDS = 0.5  # how often the index is looked at, at most
WALK_CLAIM_SECONDS = 30.0  # one process walks a list at a time; its claim lapses this soon if it dies
WALK_RENEW_SECONDS = 10.0


def shard_of(row_id: str) -> int:
    return zlib.crc32(row_id.encode()) % SHARDS


def unscoped(coro: Coroutine[Any, Any, T]) -> Awaitable[T]:
    """Run `coro` outside the request in progress: what the directory reads from the store is
    Slack's own listing, not input to the guard of whoever asked first (bot.guard.record_read)."""
    return asyncio.get_running_loop().create_task(coro, context=contextvars.Context())


def merged(changes: dict[str, dict[str, Any] | None], current: Any) -> dict[str, Any]:
    """A shard with `changes` applied (None: the row is gone), whatever else is in it."""
    rows = dict((current or {}).get("rows") or {})
    for row_id, row in changes.items():
        if row is None:
            rows.pop(row_id, None)
        else:
            rows[row_id] = row
    return {"rows": rows}


def by_shard(rows: Rows) -> dict[int, Rows]:
    shards: dict[int, Rows] = {}
    for row_id, row in rows.items():
        shards.setdefault(shard_of(row_id), {})[row_id] = row
    return shards


class Kept:
    def __init__(self, store: Namespaced, clock: Callable[[], float] = time.time) -> None:
        self.store = store  # the `directory` namespace
        self.clock = clock
        self.versions: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}  # shard -> version read here
        self.ids: dict[str, dict[int, set[str]]] = {kind: {} for kind in KINDS}  # shard -> row ids in memory
        self.pending: dict[str, dict[str, dict[str, Any] | None]] = {kind: {} for kind in KINDS}
        self.order: dict[str, list[str]] = {kind: [] for kind in KINDS}  # as last read or written here
        self.fresh_seconds = FRESH_SECONDS
        self._looked = -math.inf
        self._flush: asyncio.Task[None] | None = None

    # -- reading ---------------------------------------------------------------------------------

    async def index(self) -> dict[str, Any]:
        found = await unscoped(self.store.get("index"))
        return found if isinstance(found, dict) else {}

    async def walked_at(self, kind: str) -> float | None:
        """When the lists of `kind` were last walked by any process; None if never."""
        entry = (await self.index()).get(kind) or {}
        return float(entry["walked"]) if "walked" in entry else None

    async def load(self, kind: str) -> tuple[Rows, float] | None:
        """Every stored row of `kind` and when they were walked; None if they never were."""
        entry = (await self.index()).get(kind) or {}
        if "walked" not in entry:
            return None
        found: Rows = {}
        for shard, version in entry.get("shards", {}).items():
            stored = await unscoped(self.store.get(f"{kind}:{shard}")) or {}
            found.update(stored.get("rows") or {})
            self.versions[kind][shard] = version
            self.ids[kind][int(shard)] = set(stored.get("rows") or {})
        self.order[kind] = list(await unscoped(self.store.get(f"{kind}:order")) or [])
        # As Slack listed them; rows events added since come after, in a stable order.
        rows = {row_id: found.pop(row_id) for row_id in self.order[kind] if row_id in found}
        rows.update(sorted(found.items()))
        for row_id, row in self.pending[kind].items():  # events met here, not yet written
            if row is None:
                rows.pop(row_id, None)
            else:
                rows[row_id] = row
        return rows, float(entry["walked"])

    async def refresh(self, memory: dict[str, Rows]) -> None:
        """Bring `memory` ({kind: rows}) up to date with shards other processes changed."""
        if time.monotonic() - self._looked < self.fresh_seconds:
            return
        self._looked = time.monotonic()
        index = await self.index()
        for kind, rows in memory.items():
            for shard, version in ((index.get(kind) or {}).get("shards") or {}).items():
                if self.versions[kind].get(shard) != version:
                    await self._reread(kind, int(shard), version, rows)

    async def _reread(self, kind: str, shard: int, version: int, rows: Rows) -> None:
        stored = await unscoped(self.store.get(f"{kind}:{shard}")) or {}
        found: Rows = stored.get("rows") or {}
        for row_id in self.ids[kind].get(shard, set()) - set(found):
            rows.pop(row_id, None)
        rows.update(found)
        for row_id, row in self.pending[kind].items():  # this process's own changes not yet written
            if shard_of(row_id) == shard:
                if row is None:
                    rows.pop(row_id, None)
                else:
                    rows[row_id] = row
        self.ids[kind][shard] = set(found)
        self.versions[kind][str(shard)] = version

    # -- writing ---------------------------------------------------------------------------------

    async def save_walk(self, kind: str, rows: Rows, before: Rows) -> None:
        """A full walk of the lists found `rows`; `before` is what this process held. Only the
        shards whose rows differ are rewritten (a re-sync that finds no change writes the index)."""
        new, old = by_shard(rows), by_shard(before)
        known = self.versions[kind]
        stored = ((await self.index()).get(kind) or {}).get("shards") or {}
        written: list[int] = []
        for shard in sorted(set(new) | {int(s) for s in stored}):
            content = new.get(shard, {})
            same_as_stored = str(shard) in stored and stored[str(shard)] == known.get(str(shard))
            if (same_as_stored and old.get(shard, {}) == content) or (not content and str(shard) not in stored):
                continue
            if content:
                await self.store.set(f"{kind}:{shard}", {"rows": content})
            else:
                await self.store.delete(f"{kind}:{shard}")
            written.append(shard)
            self.ids[kind][shard] = set(content)
        walked = self.clock()

        def change(index: Any) -> dict[str, Any]:
            index = dict(index or {})
            versions = dict((index.get(kind) or {}).get("shards") or {})
            for shard in written:
                if shard in new:
                    versions[str(shard)] = versions.get(str(shard), 0) + 1
                else:
                    versions.pop(str(shard), None)
            index[kind] = {"walked": walked, "shards": versions}
            return index

        if list(rows) != self.order[kind]:
            await self.store.set(f"{kind}:order", list(rows))
            self.order[kind] = list(rows)
        index = await self.store.update("index", change)
        for shard in written:
            if str(shard) in index[kind]["shards"]:
                known[str(shard)] = index[kind]["shards"][str(shard)]
            else:
                known.pop(str(shard), None)
        log.info("%s directory saved: %d rows; %d of %d shards rewritten", kind[:-1], len(rows), len(written),
                 len(new))

    def note(self, kind: str, row_id: str, row: dict[str, Any] | None) -> None:
        """A row changed (None: gone) in memory; written to its shard soon, merged with others'."""
        self.pending[kind][row_id] = row
        if self._flush is None or self._flush.done():
            self._flush = asyncio.get_running_loop().create_task(self.flush(), context=contextvars.Context())

    async def flush(self) -> None:
        """Write every pending change (a burst of events costs one write per shard)."""
        for kind in KINDS:
            while self.pending[kind]:
                batch, self.pending[kind] = self.pending[kind], {}
                try:
                    await self._write(kind, batch)
                except Exception:
                    log.exception("could not save %d %s directory changes; the next re-sync brings them",
                                  len(batch), kind[:-1])

    async def _write(self, kind: str, batch: dict[str, dict[str, Any] | None]) -> None:
        shards: dict[int, dict[str, dict[str, Any] | None]] = {}
        for row_id, row in batch.items():
            shards.setdefault(shard_of(row_id), {})[row_id] = row
        for shard, changes in shards.items():
            stored = await self.store.update(f"{kind}:{shard}", partial(merged, changes))
            before = await self._bump(kind, str(shard))
            # Known as read here only if nobody else changed it since this process last read it.
            if self.versions[kind].get(str(shard), 0) == before:
                self.versions[kind][str(shard)] = before + 1
                self.ids[kind][shard] = set(stored.get("rows") or {})

    async def _bump(self, kind: str, shard: str) -> int:
        """Raise the shard's version in the index; the version it had."""
        before = [0]

        def bump(index: Any) -> dict[str, Any]:
            index = dict(index or {})
            entry = dict(index.get(kind) or {})
            versions = dict(entry.get("shards") or {})
            before[0] = versions.get(shard, 0)
            versions[shard] = before[0] + 1
            index[kind] = {**entry, "shards": versions}
            return index

        await self.store.update("index", bump)
        return before[0]

    # -- one walk at a time ----------------------------------------------------------------------

    async def claim_walk(self, kind: str) -> bool:
        return await self.store.add(f"walking:{kind}", True, WALK_CLAIM_SECONDS)

    async def keep_walking(self, kind: str) -> None:
        """Renew the walk's claim while the walk lasts (pages can wait a minute on rate limits)."""
        while True:
            await asyncio.sleep(WALK_RENEW_SECONDS)
            await self.store.set(f"walking:{kind}", True, WALK_CLAIM_SECONDS)

    async def release_walk(self, kind: str) -> None:
        await self.store.delete(f"walking:{kind}")

    async def close(self) -> None:
        if self._flush is not None:
            await asyncio.gather(self._flush, return_exceptions=True)
        await self.flush()
