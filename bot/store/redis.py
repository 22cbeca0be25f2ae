"""Redis backend (redis.asyncio); compare-and-set is one Lua script, atomic on the server.

Redis deletes expired keys by itself (on its own clock), so `sweep` has nothing to do. Every
call gives up after TIMEOUT seconds, so a Redis that stops answering fails a request instead of
holding it for ever.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import redis.asyncio as aioredis
from redis import exceptions

from bot.store.base import StoreOpenError, StoreUnavailable, decode, encode, probe, shown_url

TIMEOUT = 5.0  # seconds: to connect, and for each command
# KEYS[1]; ARGV[1] expected text, ARGV[2] new text, ARGV[3] ttl in ms (0: none).
_CAS = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if tonumber(ARGV[3]) > 0 then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  else
    redis.call('SET', KEYS[1], ARGV[2])
  end
  return 1
end
return 0
"""
# Out of reach, too slow, a read-only replica, out of memory (maxmemory with noeviction), loading.
_UNAVAILABLE = (exceptions.ConnectionError, exceptions.TimeoutError, exceptions.ReadOnlyError,
                exceptions.OutOfMemoryError, exceptions.BusyLoadingError, OSError)


@contextmanager
def _failures() -> Iterator[None]:
    try:
        yield
    except _UNAVAILABLE as e:
        raise StoreUnavailable(f"Redis: {e}") from e


class RedisStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client
        self._cas = client.register_script(_CAS)

    @classmethod
    async def open(cls, url: str, within: float = TIMEOUT) -> RedisStore:
        """Connect and ask Redis to answer `within` seconds; StoreOpenError if it does not."""
        where = shown_url(url)
        try:
            client = aioredis.from_url(url, decode_responses=True, socket_connect_timeout=within,
                                       socket_timeout=within)
        except ValueError as e:
            raise StoreOpenError(where, _without_password(f"not a Redis URL Sloth can use ({e})", url)) from None
        store = cls(client)
        try:
            await asyncio.wait_for(client.ping(), within)
            await probe(store)  # a read-only replica or a full Redis still answers PING
        except (exceptions.RedisError, StoreUnavailable, OSError, TimeoutError) as e:
            await client.aclose()
            cause = f"no answer within {within:g} s" if isinstance(e, TimeoutError) else str(e) or type(e).__name__
            raise StoreOpenError(where, _without_password(cause.removeprefix("Redis: "), url)) from None
        return store

    async def get(self, key: str) -> Any | None:
        with _failures():
            return decode(await self.client.get(key))

    async def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        with _failures():
            await self.client.set(key, encode(value), px=_ms(ttl))

    async def delete(self, key: str) -> None:
        with _failures():
            await self.client.delete(key)

    async def compare_and_set(self, key: str, expected: Any | None, new: Any, ttl: float | None = None) -> bool:
        with _failures():
            if expected is None:
                return bool(await self.client.set(key, encode(new), px=_ms(ttl), nx=True))
            return bool(await self._cas(keys=[key], args=[encode(expected), encode(new), _ms(ttl) or 0]))

    async def sweep(self) -> int:
        return 0  # Redis expires keys by itself

    async def close(self) -> None:
        await self.client.aclose()


def _ms(ttl: float | None) -> int | None:
    return None if ttl is None else max(1, int(ttl * 1000))


def _without_password(text: str, url: str) -> str:
    """`text` with the URL's password taken out, whatever a library put in its message."""
    try:
        parts = urlsplit(url)
        secrets = [parts.password or "", *parse_qs(parts.query).get("password", [])]
    except ValueError:
        secrets = []
    for secret in {s for raw in secrets for s in (raw, unquote(raw)) if s}:
        text = text.replace(secret, "***")
    return text
