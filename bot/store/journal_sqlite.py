"""The journal beside the store's SQLite file (bot.store.journal): `sloth.journal.db` next to
`sloth.db`, written with plain sqlite3 connections, one per thread that uses it (the socket's,
the HTTP side's, the journal's).

Why not the store's aiosqlite connection: an ack happens on the socket's own thread and event
loop, and must not wait for the main loop or for the store's queue of statements. A plain
connection on that thread writes at once, without a hop to another thread.

Why a file of its own: SQLite lets one connection write a file at a time, and one that finds
another writing sleeps a millisecond or more before it tries again. In one file, every ack would
wait behind the store's writes and every store write behind the acks'; a write of the store's
that follows its own read (its compare-and-set) would even be refused outright when an ack was
written in between. Apart, neither waits for the other.

Why it is cheap enough to sit in front of every ack (measured: bench/journal_cost.py): one
INSERT in WAL mode with `synchronous=NORMAL`, which writes the WAL without an fsync. A write
that has reached the WAL survives the process being killed (the kernel holds it), though not a
power cut; the store's own connection keeps SQLite's default. The connections that ack never run
a checkpoint (that copies the WAL into the file and syncs it: milliseconds); the journal's own
thread runs one with every lease renewal instead.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.store.journal import Entry, JournalUnavailable

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS journal (id TEXT PRIMARY KEY, owner TEXT NOT NULL, takeovers INTEGER NOT NULL, "
    "at REAL NOT NULL, frame TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS journal_leases (owner TEXT PRIMARY KEY, expires REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS journal_once (key TEXT PRIMARY KEY, expires REAL NOT NULL)",
    # Every request of the last 11 minutes is a row: the sweep finds the old ones without a scan.
    "CREATE INDEX IF NOT EXISTS journal_once_expires ON journal_once (expires)",
)
BUSY_MS = 1000  # an ack waits at most this long for another writer (the journal's thread, a replica) to finish
LEASES_KEPT = 3600.0  # seconds a dead replica's lease row is kept (it says who left what, in a debugger)


@contextmanager
def _failures() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as e:
        raise JournalUnavailable(f"SQLite: {e}") from e


def journal_path(store_path: str) -> str:
    """The journal's file for the store at `store_path`: data/sloth.db -> data/sloth.journal.db."""
    path = Path(store_path)
    return str(path.with_name(f"{path.stem}.journal{path.suffix}"))


class SQLiteBackend:
    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str) -> SQLiteBackend:
        backend = cls(path)
        with _failures():
            db = backend._db()
            for statement in _SCHEMA:
                db.execute(statement)
        return backend

    def _db(self, acking: bool = True) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None,
                                 check_same_thread=False)  # each used by one thread; closed by `close`
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            if acking:
                db.execute("PRAGMA wal_autocheckpoint=0")
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def append(self, entry_id: str, owner: str, frame: str, once: str | None, once_seconds: float) -> bool:
        now = time.time()
        with _failures():
            db = self._db()
            if once is None:
                db.execute("INSERT INTO journal VALUES (?, ?, 0, ?, ?)", (entry_id, owner, now, frame))
                return True
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM journal_once WHERE key = ? AND expires <= ?", (once, now))
                fresh = db.execute("INSERT OR IGNORE INTO journal_once VALUES (?, ?)",
                                   (once, now + once_seconds)).rowcount == 1
                if fresh:
                    db.execute("INSERT INTO journal VALUES (?, ?, 0, ?, ?)", (entry_id, owner, now, frame))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return fresh

    def finish(self, entry_ids: list[str]) -> None:
        with _failures():
            db = self._db(acking=False)
            for start in range(0, len(entry_ids), 500):  # under SQLite's limit of bound parameters
                chunk = entry_ids[start:start + 500]
                db.execute(f"DELETE FROM journal WHERE id IN ({','.join('?' * len(chunk))})", chunk)

    def drop(self, entry_id: str) -> None:
        self.finish([entry_id])

    def renew(self, owner: str, seconds: float) -> None:
        now = time.time()
        with _failures():
            db = self._db(acking=False)
            db.execute("INSERT INTO journal_leases VALUES (?, ?) ON CONFLICT(owner) DO UPDATE SET "
                       "expires = excluded.expires", (owner, now + seconds))
            db.execute("DELETE FROM journal_leases WHERE expires < ?", (now - LEASES_KEPT,))
            db.execute("DELETE FROM journal_once WHERE expires <= ?", (now,))
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")  # the acking connections never do (see above)

    def leave(self, owner: str) -> None:
        with _failures():
            self._db(acking=False).execute("UPDATE journal_leases SET expires = 0 WHERE owner = ?", (owner,))

    def orphans(self, limit: int) -> list[Entry]:
        with _failures():
            rows = self._db(acking=False).execute(
                "SELECT id, frame, owner, takeovers FROM journal WHERE owner NOT IN "
                "(SELECT owner FROM journal_leases WHERE expires > ?) ORDER BY at LIMIT ?",
                (time.time(), limit)).fetchall()
        return [Entry(row[0], _frame(row[1]), row[2], row[3]) for row in rows]

    def claim(self, entry: Entry, owner: str) -> bool:
        with _failures():
            cur = self._db(acking=False).execute(
                "UPDATE journal SET owner = ?, takeovers = takeovers + 1 WHERE id = ? AND owner = ? AND takeovers = ?",
                (owner, entry.id, entry.owner, entry.takeovers))
        return cur.rowcount == 1

    def close(self) -> None:
        with self._lock:
            connections, self._all = self._all, []
        for db in connections:
            db.close()  # made on other threads, closed once none of them uses it any more


def _frame(raw: str) -> dict[str, Any]:
    value = json.loads(raw)
    return value if isinstance(value, dict) else {}
