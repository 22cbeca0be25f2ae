"""The journal in Redis (bot.store.journal), shared by every replica on that Redis.

A synchronous client (redis-py's, thread-safe, its own connection pool) rather than the store's
asyncio one: an ack happens on the socket's own thread and event loop, where the main loop's
connections cannot be used, and an append is one round trip either way (a Lua script, so a
replay check and the entry are written together). Timeouts are short: an ack must not wait
long for a Redis that stopped answering (the journal then rests, see bot.store.journal).

    journal:frames        hash  entry id -> the envelope, as JSON
    journal:holders       hash  entry id -> "owner|takeovers|appended at"
    journal:lease:<owner> key   alive while the replica renews it (PX)
    journal:once:<key>    key   a request signature already seen (PX)
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from redis import exceptions

from bot.store.journal import Entry, JournalUnavailable

TIMEOUT = 1.0  # seconds, to connect and for each command
FRAMES, HOLDERS, LEASE, ONCE = "journal:frames", "journal:holders", "journal:lease:", "journal:once:"
# KEYS: frames, holders[, once]; ARGV: id, frame, holder, once ttl in ms
_APPEND = """
if #KEYS == 3 and not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[4]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
"""
# KEYS: holders; ARGV: id, the holder seen, the new holder
_CLAIM = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0
"""


@contextmanager
def _failures() -> Iterator[None]:
    try:
        yield
    except (exceptions.RedisError, OSError) as e:
        raise JournalUnavailable(f"Redis: {e}") from e


class RedisBackend:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._append = client.register_script(_APPEND)
        self._claim = client.register_script(_CLAIM)

    @classmethod
    def open(cls, url: str) -> RedisBackend:
        try:
            client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=TIMEOUT,
                                          socket_connect_timeout=TIMEOUT)
        except ValueError as e:
            raise JournalUnavailable(str(e)) from None
        return cls(client)

    def append(self, entry_id: str, owner: str, frame: str, once: str | None, once_seconds: float) -> bool:
        keys = [FRAMES, HOLDERS] + ([ONCE + once] if once is not None else [])
        with _failures():
            return bool(self._append(keys=keys, args=[entry_id, frame, _holder(owner, 0, time.time()),
                                                      int(once_seconds * 1000)]))

    def finish(self, entry_ids: list[str]) -> None:
        with _failures():
            pipe = self.client.pipeline()  # MULTI/EXEC: one round trip
            pipe.hdel(FRAMES, *entry_ids)
            pipe.hdel(HOLDERS, *entry_ids)
            pipe.execute()

    def drop(self, entry_id: str) -> None:
        self.finish([entry_id])

    def renew(self, owner: str, seconds: float) -> None:
        with _failures():
            self.client.set(LEASE + owner, "1", px=max(1, int(seconds * 1000)))

    def leave(self, owner: str) -> None:
        with _failures():
            self.client.delete(LEASE + owner)

    def orphans(self, limit: int) -> list[Entry]:
        with _failures():
            holders = {str(k): str(v) for k, v in self.client.hgetall(HOLDERS).items()}
            if not holders:
                return []
            parsed = {entry_id: _parse(holder) for entry_id, holder in holders.items()}
            owners = sorted({owner for owner, _, _ in parsed.values()})
            alive = {owner for owner, lease in zip(owners, self.client.mget([LEASE + o for o in owners]), strict=True)
                     if lease is not None}
            chosen = sorted((at, entry_id) for entry_id, (owner, _, at) in parsed.items() if owner not in alive)[:limit]
            if not chosen:
                return []
            frames = self.client.hmget(FRAMES, [entry_id for _, entry_id in chosen])
        found = []
        for (_, entry_id), frame in zip(chosen, frames, strict=True):
            if frame is not None:  # finished meanwhile
                owner, takeovers, _ = parsed[entry_id]
                found.append(Entry(entry_id, _frame(str(frame)), owner, takeovers, holders[entry_id]))
        return found

    def claim(self, entry: Entry, owner: str) -> bool:
        seen = entry.token or _holder(entry.owner, entry.takeovers, 0.0)
        _, _, at = _parse(seen)
        with _failures():
            return bool(self._claim(keys=[HOLDERS], args=[entry.id, seen, _holder(owner, entry.takeovers + 1, at)]))

    def close(self) -> None:
        self.client.close()


def _holder(owner: str, takeovers: int, at: float) -> str:
    return f"{owner}|{takeovers}|{at:.6f}"


def _parse(holder: str) -> tuple[str, int, float]:
    owner, _, rest = holder.partition("|")
    takeovers, _, at = rest.partition("|")
    try:
        return owner, int(takeovers), float(at)
    except ValueError:
        return owner, 0, 0.0


def _frame(raw: str) -> dict[str, Any]:
    value = json.loads(raw)
    return value if isinstance(value, dict) else {}
