"""A feature's view of the store: every key under its own prefix, and atomic updates by compare-and-set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.store.base import Store

UPDATE_ATTEMPTS = 100


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
