"""SQLite backend (aiosqlite: the database work runs on its own thread, off the event loop).

Expired rows are deleted when they are read and by `sweep`, so an idle Sloth's file holds its
live keys and no more (one row per Slack event id would otherwise pile up for ever). "Now" is
the clock the store was opened with: the runtime's, so a test can move a day forward.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.base import Clock, StoreOpenError, StoreUnavailable, decode, encode, probe

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL)",
    # Only rows with a TTL, so the sweep finds the expired ones without reading the rest.
    "CREATE INDEX IF NOT EXISTS kv_expires ON kv (expires) WHERE expires IS NOT NULL",
)
_LIVE = "(expires IS NULL OR expires > ?)"
SWEEP_BATCH = 1000  # rows per delete, so a long sweep never holds the write lock for long
# Primary result codes that mean the file, not the request, is at fault: full, read-only,
# I/O error, corrupt, cannot open, not a database, locked by another process for too long.
_UNAVAILABLE = {
    sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT,
    sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED,
}


@contextmanager
def _failures() -> Iterator[None]:
    try:
        yield
    except sqlite3.DatabaseError as e:
        code = getattr(e, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in _UNAVAILABLE:
            raise StoreUnavailable(f"SQLite: {e}") from e
        raise


class SQLiteStore:
    def __init__(self, db: aiosqlite.Connection, clock: Clock = time.time) -> None:
        self.db = db
        self.clock = clock

    @classmethod
    async def open(cls, path: str, clock: Clock = time.time) -> SQLiteStore:
        """Open (creating the file and its folder if needed) and check that a write works."""
        if path != ":memory:":
            _check_place(Path(path))
        db: aiosqlite.Connection | None = None
        try:
            # isolation_level=None: every statement commits on its own; each write below is a
            # single statement, so it is atomic without explicit transactions.
            db = await aiosqlite.connect(path, isolation_level=None)
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA busy_timeout=5000")
            for statement in _SCHEMA:
                await db.execute(statement)
            store = cls(db, clock)
            try:
                await store.sweep()  # space freed first, in case the file is full of expired rows
            except StoreUnavailable:
                pass  # the probe below says what is wrong
            await probe(store)
            return store
        except BaseException as e:
            if db is not None:
                await db.close()  # its worker thread would otherwise keep the process alive
            if isinstance(e, sqlite3.Error | StoreUnavailable):
                raise StoreOpenError(path, _cause(Path(path), e)) from None
            raise

    async def get(self, key: str) -> Any | None:
        now = self.clock()
        with _failures():
            async with self.db.execute("SELECT value, expires FROM kv WHERE key = ?", (key,)) as cur:
                row = await cur.fetchone()
        if row is None:
            return None
        if row[1] is not None and row[1] <= now:
            try:
                with _failures():
                    await self.db.execute("DELETE FROM kv WHERE key = ? AND expires <= ?", (key, now))
            except StoreUnavailable:
                pass  # the read itself worked; the sweep deletes the row later
            return None
        return decode(row[0])

    async def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        with _failures():
            await self.db.execute(
                "INSERT INTO kv (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
                (key, encode(value), self._expiry(ttl)),
            )

    async def delete(self, key: str) -> None:
        with _failures():
            await self.db.execute("DELETE FROM kv WHERE key = ?", (key,))

    async def compare_and_set(self, key: str, expected: Any | None, new: Any, ttl: float | None = None) -> bool:
        now = self.clock()
        with _failures():
            if expected is None:
                # Insert, or take over a row whose TTL has run out.
                cur = await self.db.execute(
                    "INSERT INTO kv (key, value, expires) VALUES (?, ?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires "
                    "WHERE kv.expires IS NOT NULL AND kv.expires <= ?",
                    (key, encode(new), self._expiry(ttl), now),
                )
            else:
                cur = await self.db.execute(
                    f"UPDATE kv SET value = ?, expires = ? WHERE key = ? AND value = ? AND {_LIVE}",
                    (encode(new), self._expiry(ttl), key, encode(expected), now),
                )
        return cur.rowcount == 1

    async def sweep(self) -> int:
        removed = 0
        now = self.clock()
        while True:
            with _failures():
                cur = await self.db.execute(
                    "DELETE FROM kv WHERE rowid IN (SELECT rowid FROM kv WHERE expires <= ? LIMIT ?)",
                    (now, SWEEP_BATCH),
                )
            removed += cur.rowcount
            if cur.rowcount < SWEEP_BATCH:
                return removed

    async def close(self) -> None:
        await self.db.close()

    def _expiry(self, ttl: float | None) -> float | None:
        return None if ttl is None else self.clock() + ttl


def _check_place(path: Path) -> None:
    """The folder exists (made if needed) and `path` is not a folder; StoreOpenError if not."""
    if path.is_dir():
        raise StoreOpenError(str(path), "that is a folder, not a database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreOpenError(str(path), f"cannot create the folder {path.parent}: {e.strerror or e}") from None


def _cause(path: Path, error: Exception) -> str:
    """SQLite's reason, with the file system's where it has one ("Read-only file system")."""
    reason = str(error).removeprefix("SQLite: ")
    try:
        if path.exists():
            with path.open("r+b"):
                pass
        else:
            with tempfile.TemporaryFile(dir=path.parent):
                pass
    except OSError as e:
        return f"{reason} ({e.strerror or e})"
    return reason
