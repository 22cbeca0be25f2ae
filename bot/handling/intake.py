"""What happens to every envelope between Slack handing it over and Sloth acking it, whichever way
it came (Socket Mode, on the socket's own thread; HTTP, on the main loop): counted against the
limit of unfinished work, written down in the journal (bot.store.journal), and handed to the
main loop. The ack goes out only after `offer` returns, so "acked" implies "journaled and queued".

`limit`: envelopes acked and not yet handled to the end. At the limit `offer` refuses and the
transport answers as Slack expects of a busy app (bot.handling.ack_answer), so a main loop that is held
up cannot pile up acked work that will never be done.

Envelopes taken over from a dead replica come in through `recover` (marked `recovered`), on
the main loop, and travel the same way from there.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.store.journal import Entry, Journal, RepeatedRequest
from bot.work.metrics import Metrics

log = logging.getLogger(__name__)
# Takes an envelope on the main loop, with the function to call once it is handled to the end;
# False when it cannot (shutting down).
Take = Callable[[dict[str, Any], Callable[[], None]], bool]


class Offer(enum.Enum):
    TAKEN = "taken"
    BUSY = "busy"  # too much unfinished work, or shutting down
    REPEATED = "repeated"  # a request seen before (a replay)


class Intake:
    def __init__(self, take: Take, journal: Journal | None, metrics: Metrics, limit: int) -> None:
        self.take, self.journal, self.metrics, self.limit = take, journal, metrics, limit
        self.unfinished = 0
        self._main: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def open(self, main: asyncio.AbstractEventLoop) -> None:
        """Take envelopes from now on, handing them to `main`."""
        self._main = main

    def close(self) -> None:
        self._main = None

    def offer(self, frame: dict[str, Any], once: str | None = None) -> Offer:
        """From any thread, before the ack: journal the envelope and hand it over, unless too much
        is unfinished. `once`: a key the journal must not have seen (a request's signature)."""
        main = self._main
        with self._lock:
            if main is None or self.unfinished >= self.limit:
                return Offer.BUSY
            self.unfinished += 1
            self.metrics.unfinished.set(self.unfinished)
        started = time.perf_counter()
        try:
            entry = self.journal.append(frame, once) if self.journal is not None else None
            self.metrics.journal_append.observe(time.perf_counter() - started)
        except RepeatedRequest:
            self._done()
            return Offer.REPEATED
        except BaseException:
            self._done()
            raise
        if entry is not None:
            frame["journal_id"] = entry
        try:
            main.call_soon_threadsafe(self._hand_over, frame)
        except RuntimeError:  # the main loop has closed: nobody would handle it (the journal keeps it)
            self._done()
            return Offer.BUSY
        return Offer.TAKEN

    def recover(self, entry: Entry) -> None:
        """On the main loop: an envelope a dead replica acked and left unfinished, now this one's."""
        with self._lock:
            self.unfinished += 1
            self.metrics.unfinished.set(self.unfinished)
        self.metrics.taken_over.labels(str(entry.frame.get("type", ""))).inc()
        self._hand_over({**entry.frame, "journal_id": entry.id, "recovered": True})

    @property
    def full(self) -> bool:
        return self.unfinished >= self.limit

    def _hand_over(self, frame: dict[str, Any]) -> None:
        taken = False
        try:
            taken = self.take(frame, self._done)
        finally:
            if not taken:  # refused or failed: it will never be done here, so it no longer counts
                self._done()

    def _done(self) -> None:
        with self._lock:
            self.unfinished -= 1
            self.metrics.unfinished.set(self.unfinished)
