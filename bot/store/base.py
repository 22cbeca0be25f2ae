"""What every store backend shares: the interface, the errors, JSON in and out, the write probe.

A backend that cannot do what is asked because of where the data lives (a full disk, a
read-only volume, Redis out of reach) raises `StoreUnavailable`; one that cannot be opened at
all raises `StoreOpenError`, whose message names the path (never a password) and the cause.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from bot import guard

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
