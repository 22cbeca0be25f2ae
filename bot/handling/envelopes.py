"""An envelope the socket has acked, handled: queued for the workers, each event once, then Bolt.

The socket thread (`bot.socket.thread`) acks every envelope the moment it is read and hands it
here; a bounded pool of workers on the main loop takes them in turn. Slack redelivers an event
it thinks went unanswered, so each `event_id` is noted in the store and a redelivery (to this
replica or another sharing the store) is skipped. Bolt then routes the payload to the entry
points (`bot.handling.entry`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.store import Namespaced, StoreUnavailable
from bot.work.metrics import Metrics
from bot.work.supervisor import WorkerPool

log = logging.getLogger(__name__)
DEDUPE_TTL = 3600.0  # Slack retries within minutes; an hour is ample.


class Envelopes:
    def __init__(self, app: AsyncApp, pool: WorkerPool, seen: Namespaced, metrics: Metrics) -> None:
        self.app = app
        self.pool = pool
        self.seen = seen  # event ids already handled (the store's `event:` namespace)
        self.metrics = metrics

    def take(self, frame: dict[str, Any], done: Callable[[], None]) -> bool:
        """Take an envelope the socket thread acked; `done` once it is handled to the end."""

        async def handle() -> None:
            try:
                await self.handle(frame)
            finally:
                done()

        if self.pool.submit(handle):
            return True
        log.warning("shutting down: dropped a %s envelope", frame.get("type"))
        return False

    async def handle(self, frame: dict[str, Any]) -> None:
        payload = frame.get("payload") or {}
        if frame.get("type") == "events_api" and not await self.first_delivery(payload.get("event_id"), frame):
            return
        await self.app.async_dispatch(AsyncBoltRequest(mode="socket_mode", body=payload, headers={}))

    async def first_delivery(self, event_id: str | None, frame: dict[str, Any]) -> bool:
        """Every event_id once, whichever delivery or replica gets there first."""
        if not event_id:
            return True
        try:
            first = await self.seen.add(event_id, frame.get("retry_attempt", 0), DEDUPE_TTL)
        except StoreUnavailable:
            # The store cannot note the event (a full disk, a read-only volume). Handling it
            # anyway risks handling a redelivery twice; dropping it would leave the member with
            # no answer at all, not even that Sloth cannot save. Twice is the lesser harm.
            return True
        if not first:
            self.metrics.duplicates.inc()
            log.info("skipped redelivered event %s (retry %s)", event_id, frame.get("retry_attempt"))
        return first
