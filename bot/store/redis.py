"""Redis backend (redis.asyncio); compare-and-set is one Lua script, atomic on the server."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from bot.store import decode, encode

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


class RedisStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client
        self._cas = client.register_script(_CAS)

    @classmethod
    async def open(cls, url: str) -> RedisStore:
        client = aioredis.from_url(url, decode_responses=True)
        await client.ping()
        return cls(client)

    async def get(self, key: str) -> Any | None:
        return decode(await self.client.get(key))

    async def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        await self.client.set(key, encode(value), px=_ms(ttl))

    async def delete(self, key: str) -> None:
        await self.client.delete(key)

    async def compare_and_set(self, key: str, expected: Any | None, new: Any, ttl: float | None = None) -> bool:
        if expected is None:
            return bool(await self.client.set(key, encode(new), px=_ms(ttl), nx=True))
        return bool(await self._cas(keys=[key], args=[encode(expected), encode(new), _ms(ttl) or 0]))

    async def close(self) -> None:
        await self.client.aclose()


def _ms(ttl: float | None) -> int | None:
    return None if ttl is None else max(1, int(ttl * 1000))
