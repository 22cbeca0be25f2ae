"""Sloth's key-value store: JSON values, optional TTLs, atomic compare-and-set.

Two thin backends, picked by `SLOTH_STORE_URL`: SQLite (`sqlite:///path`, the default) and
Redis (`redis://…`), which lets several Sloth processes share state.
"""

from __future__ import annotations

import json
from typing import Any, Protocol


class Store(Protocol):
    async def get(self, key: str) -> Any | None: ...

    async def set(self, key: str, value: Any, ttl: float | None = None) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def compare_and_set(self, key: str, expected: Any | None, new: Any, ttl: float | None = None) -> bool:
        """Write `new` only if the current value equals `expected` (None: only if absent)."""
        ...

    async def close(self) -> None: ...


def encode(value: Any) -> str:
    # Canonical JSON, so that equal values are equal strings and compare-and-set can
    # compare text inside the backend in one atomic step.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode(raw: str | bytes | None) -> Any | None:
    return None if raw is None else json.loads(raw)


class Namespaced:
    """A view of a store whose keys all carry one prefix, e.g. `dedupe:` or `games:`."""

    def __init__(self, store: Store, prefix: str) -> None:
        self.store = store
        self.prefix = prefix.rstrip(":") + ":"

    async def get(self, key: str) -> Any | None:
        return await self.store.get(self.prefix + key)

    async def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        await self.store.set(self.prefix + key, value, ttl)

    async def delete(self, key: str) -> None:
        await self.store.delete(self.prefix + key)

    async def compare_and_set(self, key: str, expected: Any | None, new: Any, ttl: float | None = None) -> bool:
        return await self.store.compare_and_set(self.prefix + key, expected, new, ttl)

    async def add(self, key: str, value: Any, ttl: float | None = None) -> bool:
        """Set only if absent; True when this call created the key."""
        return await self.compare_and_set(key, None, value, ttl)


async def open_store(url: str) -> Store:
    if url.startswith("sqlite:///"):
        from bot.store.sqlite import SQLiteStore

        return await SQLiteStore.open(url.removeprefix("sqlite:///"))
    if url.startswith(("redis://", "rediss://", "unix://")):
        from bot.store.redis import RedisStore

        return await RedisStore.open(url)
    raise ValueError("unsupported store URL; use sqlite:///path or redis://host:port/db")
