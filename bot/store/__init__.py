"""Sloth's key-value store: JSON values, optional TTLs, atomic compare-and-set.

Two thin backends, picked by `SLOTH_STORE_URL`: SQLite (`sqlite:///path`, the default) and
Redis (`redis://…`), which lets several Sloth processes share state. A key whose TTL has run
out is gone for every operation on either backend; Redis deletes it by itself, SQLite when it
is read and in `sweep`, which the core feature runs periodically.

A backend that cannot do what is asked because of where the data lives (a full disk, a
read-only volume, Redis out of reach) raises `StoreUnavailable`; one that cannot be opened at
all raises `StoreOpenError`, whose message names the path (never a password) and the cause.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from bot import guard

UPDATE_ATTEMPTS = 100
Clock = Callable[[], float]


class StoreUnavailable(Exception):
    """The store cannot save (or read) right now; the message says why, for the operator."""


class StoreOpenError(Exception):
    """The store cannot be opened at all; Sloth cannot start."""

    def __init__(self, where: str, cause: str) -> None:
        super().__init__(f"Sloth cannot open its store {where}: {cause}")
        self.where, self.cause = where, cause


class Store(Protocol):
    async def get(self, key: str) -> Any | None: ...

    async def set(self, key: str, value: Any, ttl: float | None = None) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def compare_and_set(self, key: str, expected: Any | None, new: Any, ttl: float | None = None) -> bool:
        """Write `new` only if the current value equals `expected` (None: only if absent)."""
        ...

    async def sweep(self) -> int:
        """Delete every key whose TTL has run out; how many went (0 where the backend expires keys itself)."""
        ...

    async def close(self) -> None: ...


def encode(value: Any) -> str:
    # Canonical JSON, so that equal values are equal strings and compare-and-set can
    # compare text inside the backend in one atomic step.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode(raw: str | bytes | None) -> Any | None:
    if raw is None:
        return None
    value = json.loads(raw)
    # Every value read back passes here: a record may hold what a member typed or a webhook sent,
    # so it is input to the guard if it is ever repeated (the raw text tells cheaply if it can be).
    guard.record_read(raw, value)
    return value


async def probe(store: Store) -> None:
    """Write a new key and delete it: StoreUnavailable unless the store can take new data.

    A new key, not an old one rewritten: a full SQLite file still lets a row be rewritten in place."""
    key = f"store:probe:{secrets.token_hex(16)}"
    await store.set(key, "x" * 64, ttl=60)
    await store.delete(key)


class Contention(Exception):
    """A key kept changing under `update`; should not happen outside a stampede."""


class Namespaced:
    """A view of a store whose keys all carry one prefix, e.g. `event:` or `games:`.

    A feature's `ctx.store` is one of these, named after the feature: it reaches only keys under
    its prefix (the store beneath is not offered; see `bot.features.context`).
    """

    def __init__(self, store: Store, prefix: str) -> None:
        self._store = store
        self.prefix = prefix.rstrip(":") + ":"

    async def get(self, key: str) -> Any | None:
        return await self._store.get(self.prefix + key)

    async def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        await self._store.set(self.prefix + key, value, ttl)

    async def delete(self, key: str) -> None:
        await self._store.delete(self.prefix + key)

    async def compare_and_set(self, key: str, expected: Any | None, new: Any, ttl: float | None = None) -> bool:
        return await self._store.compare_and_set(self.prefix + key, expected, new, ttl)

    async def add(self, key: str, value: Any, ttl: float | None = None) -> bool:
        """Set only if absent; True when this call created the key."""
        return await self.compare_and_set(key, None, value, ttl)

    async def update(self, key: str, change: Callable[[Any], Any], ttl: float | None = None,
                     attempts: int = UPDATE_ATTEMPTS) -> Any:
        """Apply `change(current)` atomically and return the value written.

        `current` is None when the key is absent; `change` returns the new value, or None to
        leave the key as it is. It may be called more than once (whenever another writer got
        there first), so it must not change `current` in place or have other effects.
        """
        for _ in range(attempts):
            current = await self.get(key)
            new = change(current)
            if new is None or new == current:
                return current
            if await self.compare_and_set(key, current, new, ttl):
                return new
        raise Contention(f"{self.prefix}{key} kept changing; gave up after {attempts} attempts")

    def child(self, prefix: str) -> Namespaced:
        """A view of a part of this namespace, e.g. `ctx.store.child("game")`."""
        return Namespaced(self._store, self.prefix + prefix)


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


def shown_url(url: str) -> str:
    """`url` fit for a message or a log: credentials (`user:password@`, `?password=`) replaced by `***`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("://", 1)[0] + "://…"  # too malformed to tell where a password would be
    host = parts.netloc.rsplit("@", 1)[-1]
    netloc = f"***@{host}" if "@" in parts.netloc else host
    query = "&".join(
        f"{name}=***" if name.lower() in _SECRET_QUERY else f"{name}={value}" if sep else name
        for name, sep, value in (pair.partition("=") for pair in parts.query.split("&") if pair)
    )
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


_SECRET_QUERY = ("password", "username", "user", "pass")
