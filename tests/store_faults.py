"""Real stores that refuse to save, and the keys a backend really holds.

- SQLite "full": the file may not grow (`PRAGMA max_page_count`) and its pages are filled, so
  SQLite itself answers SQLITE_FULL, as on a full disk. "read-only": `PRAGMA query_only`, so
  SQLite answers SQLITE_READONLY, as on a read-only volume (file permissions stop no one here:
  the tests run as root).
- Redis "full": `maxmemory` below what it uses (OOM, with the default noeviction policy).
  "read-only": a replica of a master that does not exist (READONLY).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from bot.store import Store, StoreUnavailable
from bot.store.redis import RedisStore
from bot.store.sqlite import SQLiteStore

Fault = Literal["full", "read-only"]
SQLITE_MAX_PAGES = 1073741823  # SQLite's own default for max_page_count


@asynccontextmanager
async def refusing_writes(store: Store, fault: Fault) -> AsyncIterator[None]:
    """`store` (a backend, not a wrapper) refuses new data inside the block, and saves again after it."""
    if isinstance(store, SQLiteStore):
        if fault == "full":
            await _fill(store)
        else:
            await store.db.execute("PRAGMA query_only = ON")
        try:
            yield
        finally:
            await store.db.execute("PRAGMA query_only = OFF")
            await store.db.execute(f"PRAGMA max_page_count = {SQLITE_MAX_PAGES}")
    elif isinstance(store, RedisStore):
        if fault == "full":
            await store.client.config_set("maxmemory", 1)
        else:
            await store.client.execute_command("REPLICAOF", "127.0.0.1", "1")
        try:
            yield
        finally:
            await store.client.config_set("maxmemory", 0)
            await store.client.execute_command("REPLICAOF", "NO", "ONE")
    else:
        raise TypeError(f"no way to make {type(store).__name__} refuse writes")


async def _fill(store: SQLiteStore) -> None:
    async with store.db.execute("PRAGMA page_count") as cur:
        row = await cur.fetchone()
    assert row is not None
    await store.db.execute(f"PRAGMA max_page_count = {row[0]}")
    filled = 0
    for size in (1000, 100, 10, 0):  # big rows first, then smaller ones into what is left
        while True:
            try:
                await store.set(f"filler:{filled}", "x" * size)
            except StoreUnavailable:
                break
            filled += 1


async def stored_keys(store: Store) -> int:
    """How many keys the backend holds, expired or not: what takes room."""
    if isinstance(store, SQLiteStore):
        async with store.db.execute("SELECT count(*) FROM kv") as cur:
            row = await cur.fetchone()
        assert row is not None
        return int(row[0])
    if isinstance(store, RedisStore):
        return int(await store.client.dbsize())
    raise TypeError(f"cannot count the keys of {type(store).__name__}")
