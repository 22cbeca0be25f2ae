"""Sloth's key-value store: JSON values, optional TTLs, atomic compare-and-set.

Two thin backends, picked by `SLOTH_STORE_URL`: SQLite (`sqlite:///path`, the default) and
Redis (`redis://…`), which lets several Sloth processes share state. A key whose TTL has run
out is gone for every operation on either backend; Redis deletes it by itself, SQLite when it
is read and in `sweep`, which the core feature runs periodically. `base` is what both share,
`namespaced` the view a feature gets, `health` the runtime's watch on whether it can save.
"""

from __future__ import annotations

import time

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
from bot.store.namespaced import Contention, Namespaced

__all__ = ["Clock", "Contention", "Namespaced", "Store", "StoreOpenError", "StoreUnavailable", "decode", "encode",
           "open_store", "probe", "shown_url"]


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
