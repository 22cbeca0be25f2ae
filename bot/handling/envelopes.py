"""An envelope Sloth has acked, handled: queued for the workers, each event once, then Bolt.

The socket thread (`bot.socket.thread`) or the HTTP side (`bot.http.slack`) acks every envelope
the moment it arrives and hands it here through the intake (`bot.handling.intake`); a bounded
pool of workers on the main loop takes them in turn. Slack redelivers an event it thinks went
unanswered, so each `event_id` is noted in the store, with the journal entry that handles it,
and a redelivery (to this replica or another sharing the store) is skipped. Bolt then routes the
payload to the entry points (`bot.handling.entry`). Once handled, the envelope is crossed out of
the journal (`bot.store.journal`); one left by a replica that died is taken over (`recovered`)
and handled again from the start: its event_id may be noted already, by the entry that died.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.store import Namespaced, StoreUnavailable
from bot.store.journal import Journal
from bot.work.metrics import Metrics
from bot.work.supervisor import WorkerPool

log = logging.getLogger(__name__)
DEDUPE_TTL = 3600.0  # Slack retries within minutes; an hour is ample.


class Envelopes:
    """`app`: Bolt, for one workspace; with many workspaces, `app` is a function that finds the
    Bolt app of the workspace a payload comes from (None: dropped, bot.workspaces.serving)."""

    def __init__(self, app: AsyncApp | Callable[[dict[str, Any]], Awaitable[AsyncApp | None]], pool: WorkerPool,
                 seen: Namespaced, metrics: Metrics, journal: Journal | None = None) -> None:
        self.app = app
        self.pool = pool
        self.seen = seen  # event ids already handled (the store's `event:` namespace)
        self.metrics = metrics
        self.journal = journal

    def take(self, frame: dict[str, Any], done: Callable[[], None]) -> bool:
        """Take an envelope the intake handed over; `done` once it is handled to the end."""

        async def handle() -> None:
            try:
                try:
                    await self.handle(frame)
                except Exception:  # handled all the same: one that always fails must not come back
                    log.exception("a %s envelope failed outside the handlers' error boundary", frame.get("type"))
                self.cross_out(frame)  # not when cancelled (stopping mid-work): then it is left to take over
            finally:
                done()

        if self.pool.submit(handle):
            return True
        left = " (left in the journal for the next replica to take over)" if frame.get("journal_id") else ""
        log.warning("shutting down: did not handle a %s envelope%s", frame.get("type"), left)
        return False

    def cross_out(self, frame: dict[str, Any]) -> None:
        entry = frame.get("journal_id")
        if self.journal is not None and isinstance(entry, str):
            self.journal.finish(entry)

    async def handle(self, frame: dict[str, Any]) -> None:
        payload = frame.get("payload") or {}
        if frame.get("type") == "events_api" and not await self.first_delivery(payload.get("event_id"), frame):
            return
        app = self.app if isinstance(self.app, AsyncApp) else await self.app(payload)
        if app is not None:
            await app.async_dispatch(AsyncBoltRequest(mode="socket_mode", body=payload, headers={}))

    async def first_delivery(self, event_id: str | None, frame: dict[str, Any]) -> bool:
        """Every event_id once, whichever delivery or replica gets there first. The note names the
        journal entry handling it, so that the replica taking over that very entry goes on."""
        if not event_id:
            return True
        entry = frame.get("journal_id") or f"retry {frame.get('retry_attempt', 0)}"
        try:
            first = await self.seen.add(event_id, entry, DEDUPE_TTL)
            if not first and frame.get("recovered"):
                first = await self.seen.get(event_id) == entry  # the replica that died had begun it
        except StoreUnavailable:
            # The store cannot note the event (a full disk, a read-only volume). Handling it
            # anyway risks handling a redelivery twice; dropping it would leave the member with
            # no answer at all, not even that Sloth cannot save. Twice is the lesser harm.
            return True
        if not first:
            self.metrics.duplicates.inc()
            log.info("skipped redelivered event %s (retry %s)", event_id, frame.get("retry_attempt"))
        return first
