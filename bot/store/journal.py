"""The journal: every envelope Slack hands Sloth, written down before it is acked and crossed out
once it has been handled, so that work acked by a process that then dies is not lost.

Slack never sends an acked envelope again. Without a journal, what a replica had acked and not
yet done (its queue lives in memory) dies with it: a slash command never answered, a mention
never replied to. With one, every envelope is appended to the store before its ack goes out
(`append`, synchronous, on whichever thread acks: the socket's own or the HTTP side's) and
crossed out after its work (`finish`). Each replica holds a lease in the store, renewed every
second by a thread of its own (so a main loop held up by a feature does not lose it); a
replica's entries outlive it, and once its lease has run out (at most `LEASE_SECONDS` after it
died) the first live replica to look claims each of them with a compare-and-set and handles it.
Another replica sharing the store, or the same process started again on its SQLite file.

What it promises: an envelope acked is handled, by this replica or, if it dies, by exactly one
other (the claim); an event is still handled once across replicas (its `event_id`, see
`bot.handling.envelopes`). Work that was under way when its replica died is done again from the
start: a reply already posted in the moment before the kill may be posted twice. An entry taken
over `MAX_TAKEOVERS` times (it kills every replica that handles it) is dropped and logged.

It also notes the signature of each HTTP request from Slack in the same write (`once`), so a
request replayed within the signature's five minutes is refused (bot.http.slack).

Backends: SQLite (`journal_sqlite`: a file beside the store's, one plain sqlite3 connection per
thread), Redis (`journal_redis`: a synchronous client with short timeouts), and memory for a
store that is memory too. If the backend fails, Sloth acks and handles as it did without a
journal (a member is answered; only a crash in that moment would lose the work) and tries the
journal again `REST_SECONDS` later.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
LEASE_SECONDS = 5.0  # a replica silent this long counts as dead and its entries are taken over
RENEW_SECONDS = 1.0
REST_SECONDS = 5.0  # after the backend failed, appends are skipped this long (acks must not wait on it)
MAX_TAKEOVERS = 3
ONCE_SECONDS = 11 * 60  # a signed request is good for ±5 minutes, so a replay is possible for 10


class JournalUnavailable(Exception):
    """The journal's backend cannot be written or read right now."""


@dataclass(frozen=True)
class Entry:
    id: str
    frame: dict[str, Any]
    owner: str  # the replica that holds it
    takeovers: int  # how many times it was taken over from a dead replica
    token: str = ""  # the backend's mark of the version read, which a claim compares


class Backend(Protocol):
    """Synchronous, and safe to call from any thread."""

    def append(self, entry_id: str, owner: str, frame: str, once: str | None, once_seconds: float) -> bool:
        """Write an entry; False (and nothing written) when `once` was already noted."""
        ...

    def finish(self, entry_ids: list[str]) -> None:
        """Cross these entries out, in one write."""
        ...

    def renew(self, owner: str, seconds: float) -> None:
        """`owner` is alive for `seconds` more."""
        ...

    def leave(self, owner: str) -> None:
        """`owner` stopped cleanly: its lease ends now, so what it left is taken over at once."""
        ...

    def orphans(self, limit: int) -> list[Entry]:
        """Up to `limit` entries, oldest first, whose owner holds no lease."""
        ...

    def claim(self, entry: Entry, owner: str) -> bool:
        """Make `owner` hold `entry`, unless someone else claimed it first."""
        ...

    def drop(self, entry_id: str) -> None: ...

    def close(self) -> None: ...


def replica_name() -> str:
    """This process, as its entries name it: readable in a log, unique across restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Journal:
    def __init__(self, backend: Backend, where: str, lease_seconds: float = LEASE_SECONDS,
                 on_skip: Callable[[], None] | None = None) -> None:
        self.backend = backend
        self.where = where  # for the log, never a password
        self.owner = replica_name()
        self.lease_seconds = lease_seconds
        self.on_skip = on_skip or (lambda: None)  # counted when an envelope goes unjournaled
        self._resting_until = 0.0
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="sloth-journal")
        self._finished: list[str] = []  # crossed out by the next flush, in one write
        self._finished_lock = threading.Lock()
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._keep_lease, name="sloth-journal-lease", daemon=True)

    def start(self) -> None:
        """Take the lease (JournalUnavailable if the backend refuses) and keep it from now on."""
        try:
            self.backend.renew(self.owner, self.lease_seconds)
        except JournalUnavailable as e:
            raise JournalUnavailable(f"the journal in {self.where} cannot be written: {e}") from None
        self._beat.start()

    # -- on the thread that acks --------------------------------------------------------------

    def append(self, frame: dict[str, Any], once: str | None = None) -> str | None:
        """Write `frame` down before it is acked: its entry's id, or None when the journal is
        failing (then the envelope is handled all the same). RepeatedRequest if `once` was seen."""
        if time.monotonic() < self._resting_until:
            self.on_skip()
            return None
        entry_id = secrets.token_hex(8)
        try:
            fresh = self.backend.append(entry_id, self.owner, json.dumps(frame, separators=(",", ":")), once,
                                        ONCE_SECONDS)
        except JournalUnavailable as e:
            self._failed(e)
            self.on_skip()
            return None
        if not fresh:
            raise RepeatedRequest(once or "")
        return entry_id

    # -- on the main loop ---------------------------------------------------------------------

    def finish(self, entry_id: str) -> None:
        """Cross the entry out, on the journal's own thread (the caller does not wait). Entries
        finished while a write is under way go together in the next: under load, one write for
        many, so the journal's thread seldom holds the write lock an ack is waiting for."""
        with self._finished_lock:
            self._finished.append(entry_id)
            first = len(self._finished) == 1
        if first:
            try:
                self._worker.submit(self._flush)
            except RuntimeError:
                pass  # closing: what is not crossed out is taken over, as if this replica had died

    def _flush(self) -> None:
        with self._finished_lock:
            batch, self._finished = self._finished, []
        if batch:
            self._quietly(self.backend.finish, batch)

    async def take_over(self, limit: int) -> list[Entry]:
        """Entries of dead replicas, now held by this one (each claimed by one replica only)."""
        return await asyncio.wrap_future(self._worker.submit(self._take_over, limit))

    async def close(self) -> None:
        """Stop renewing and end the lease: whatever is left is taken over at once."""
        self._stop.set()
        await asyncio.to_thread(self._worker.shutdown, wait=True)  # crossings-out still queued
        if self._beat.ident is not None:
            await asyncio.to_thread(self._beat.join, RENEW_SECONDS * 2)
        await asyncio.to_thread(self._quietly, self.backend.leave, self.owner)
        await asyncio.to_thread(self.backend.close)

    # -- on the journal's threads -------------------------------------------------------------

    def _take_over(self, limit: int) -> list[Entry]:
        taken: list[Entry] = []
        try:
            for entry in self.backend.orphans(limit):
                if entry.owner == self.owner or not self.backend.claim(entry, self.owner):
                    continue
                if entry.takeovers >= MAX_TAKEOVERS:
                    log.error("dropped a %s envelope left by %s: it was taken over %d times and every replica "
                              "handling it died", entry.frame.get("type"), entry.owner, entry.takeovers)
                    self.backend.drop(entry.id)
                    continue
                log.warning("taking over a %s envelope that %s acked and did not finish",
                            entry.frame.get("type"), entry.owner)
                taken.append(entry)
        except JournalUnavailable as e:
            self._failed(e)
        return taken

    def _keep_lease(self) -> None:
        while not self._stop.wait(RENEW_SECONDS):
            self._quietly(self.backend.renew, self.owner, self.lease_seconds)

    def _quietly(self, call: Callable[..., T], *args: Any) -> T | None:
        try:
            return call(*args)
        except JournalUnavailable as e:
            self._failed(e)
            return None

    def _failed(self, error: JournalUnavailable) -> None:
        if time.monotonic() >= self._resting_until:
            log.error("the journal in %s failed (%s): envelopes are acked and handled without it for %.0f s, "
                      "and would be lost if Sloth died meanwhile", self.where, error, REST_SECONDS)
        self._resting_until = time.monotonic() + REST_SECONDS


class RepeatedRequest(Exception):
    """A request whose signature was seen before: a replay, refused."""
