"""Sloth's key-value store: JSON values, optional TTLs, atomic compare-and-set.

Two thin backends, picked by `SLOTH_STORE_URL`: SQLite (`sqlite:///path`, the default) and
Redis (`redis://…`), which lets several Sloth processes share state. A key whose TTL has run
out is gone for every operation on either backend; Redis deletes it by itself, SQLite when it
is read and in `sweep`, which the core feature runs periodically. `base` is what both share,
`namespaced` the view a feature gets, `health` the runtime's watch on whether it can save,
`journal` the envelopes acked and not yet handled, kept beside the store (`open_journal`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bot.store.base import (
    Clock,
    Store,
    StoreOpenError,
    StoreUnavailable,
    decode,
    encode,
    probe,
    shown_url,
)
from bot.store.journal import LEASE_SECONDS, Backend, Journal
from bot.store.namespaced import Contention, Namespaced

__all__ = ["Clock", "Contention", "Namespaced", "Store", "StoreOpenError", "StoreUnavailable", "decode", "encode",
           "open_journal", "open_store", "probe", "shown_url"]


async def open_store(url: str, clock: Clock = time.time) -> Store:
    """The backend `url` names, opened and checked writable; StoreOpenError if it cannot be.

    `clock` is SQLite's "now" for TTLs (the runtime's clock, so tests can move time); Redis
    counts TTLs on its own clock.
    """
    if url.startswith("sqlite:///"):
        from bot.store.sqlite import SQLiteStore

        return await SQLiteStore.open(url.removeprefix("sqlite:///"), clock)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from bot.store.redis import RedisStore

        return await RedisStore.open(url)
    raise StoreOpenError(shown_url(url), "unsupported store URL; use sqlite:///path or redis://host:port/db")


async def open_journal(store_url: str, lease_seconds: float = LEASE_SECONDS,
                       on_skip: Callable[[], None] | None = None) -> Journal:
    """The journal beside the store `store_url` names (opened first), its lease taken;
    JournalUnavailable if it cannot be."""
    backend: Backend
    if store_url.startswith("sqlite:///"):
        path = store_url.removeprefix("sqlite:///")
        if path == ":memory:":
            from bot.store.journal_memory import MemoryBackend

            backend = MemoryBackend()
        else:
            from bot.store.journal_sqlite import SQLiteBackend, journal_path

            backend = await asyncio.to_thread(SQLiteBackend.open, journal_path(path))
    else:
        from bot.store.journal_redis import RedisBackend

        backend = RedisBackend.open(store_url)
    journal = Journal(backend, shown_url(store_url), lease_seconds, on_skip)
    try:
        await asyncio.to_thread(journal.start)
    except BaseException:
        await asyncio.to_thread(backend.close)
        raise
    return journal
