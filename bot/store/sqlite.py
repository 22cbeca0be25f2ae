"""SQLite backend (aiosqlite: the database work runs on its own thread, off the event loop)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store import decode, encode

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL)
"""
_LIVE = "(expires IS NULL OR expires > ?)"


class SQLiteStore:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    @classmethod
    async def open(cls, path: str) -> SQLiteStore:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: every statement commits on its own; each write below is a
        # single statement, so it is atomic without explicit transactions.
        db = await aiosqlite.connect(path, isolation_level=None)
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA busy_timeout=5000")
        await db.execute(_SCHEMA)
        return cls(db)

    async def get(self, key: str) -> Any | None:
        async with self.db.execute(f"SELECT value FROM kv WHERE key = ? AND {_LIVE}", (key, time.time())) as cur:
            row = await cur.fetchone()
        return decode(row[0]) if row else None

    async def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        await self.db.execute(
            "INSERT INTO kv (key, value, expires) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
            (key, encode(value), _expiry(ttl)),
        )

    async def delete(self, key: str) -> None:
        await self.db.execute("DELETE FROM kv WHERE key = ?", (key,))

    async def compare_and_set(self, key: str, expected: Any | None, new: Any, ttl: float | None = None) -> bool:
        now = time.time()
        if expected is None:
            # Insert, or take over a row whose TTL has run out.
            cur = await self.db.execute(
                "INSERT INTO kv (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires "
                "WHERE kv.expires IS NOT NULL AND kv.expires <= ?",
                (key, encode(new), _expiry(ttl), now),
            )
        else:
            cur = await self.db.execute(
                f"UPDATE kv SET value = ?, expires = ? WHERE key = ? AND value = ? AND {_LIVE}",
                (encode(new), _expiry(ttl), key, encode(expected), now),
            )
        return cur.rowcount == 1

    async def close(self) -> None:
        await self.db.close()


def _expiry(ttl: float | None) -> float | None:
    return None if ttl is None else time.time() + ttl
