"""Socket Mode: ack every envelope the moment it is read, then hand it to the workers.

slack_sdk's aiohttp client handles the WebSocket, pings and reconnects; this subclass changes
what happens to each frame. Bolt (and the SDK's default path) queue a frame, start a task per
envelope and poll for the ack every 10 ms; Sloth acks inline on the receive loop instead, so
an ack costs one JSON parse and one send, and the work runs afterwards on a bounded pool.
It also treats `disconnect` reasons differently: `link_disabled` means Socket Mode was turned
off for the app, so reconnecting would loop forever; Sloth stops and says so.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.socket_mode.aiohttp import SocketModeClient

from bot.metrics import Metrics
from bot.supervisor import Supervisor

log = logging.getLogger(__name__)

# Seconds to wait before reconnecting after `too_many_websockets` (Slack allows 10 per app).
TOO_MANY_BACKOFF = 10.0


class SocketClient(SocketModeClient):
    def __init__(
        self,
        *,
        on_envelope: Callable[[dict[str, Any]], None],
        on_fatal: Callable[[str], None],
        metrics: Metrics,
        supervisor: Supervisor,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.on_envelope = on_envelope
        self.on_fatal = on_fatal
        self.metrics = metrics
        self.supervisor = supervisor
        self.hellos = 0
        self.asked_to_reconnect = False

    async def enqueue_message(self, message: str) -> None:
        # Called by the receive loop for every text frame; nothing goes to the SDK's queue.
        started = time.perf_counter()
        try:
            frame = json.loads(message)
        except ValueError:
            log.warning("ignoring a frame that is not JSON")
            return
        kind = frame.get("type", "")
        envelope_id = frame.get("envelope_id")
        if envelope_id:
            # Queued before the ack is sent (queueing never yields), so "acked" implies "queued":
            # a drain after the ack cannot miss it.
            self.on_envelope(frame)
            await self.send_message(json.dumps({"envelope_id": envelope_id}))
            self.metrics.ack_latency.observe(time.perf_counter() - started)
            self.metrics.envelopes.labels(kind).inc()
        elif kind == "hello":
            if self.hellos and not self.asked_to_reconnect:
                # Reconnected after the socket dropped without a disconnect frame.
                self.metrics.reconnects.labels("dropped").inc()
            self.hellos += 1
            self.asked_to_reconnect = False
            self.metrics.connected.set(1)
            log.info("socket connected (%s open connections)", frame.get("num_connections", "?"))
        elif kind == "disconnect":
            self._on_disconnect(str(frame.get("reason", "")))

    def _on_disconnect(self, reason: str) -> None:
        self.asked_to_reconnect = True
        self.metrics.reconnects.labels(reason or "unknown").inc()
        self.metrics.connected.set(0)
        if reason == "link_disabled":
            log.error("Slack disabled Socket Mode for this app (disconnect: link_disabled); not reconnecting")
            self.auto_reconnect_enabled = False
            self.default_auto_reconnect_enabled = False
            self.on_fatal(
                "Socket Mode was disabled for this app in Slack (link_disabled). "
                "Turn Socket Mode back on in the app's settings, then start Sloth again."
            )
            return
        delay = 0.0
        if reason == "too_many_websockets":
            # The SDK would reconnect the moment the socket closes and be refused again.
            self.auto_reconnect_enabled = False
            delay = TOO_MANY_BACKOFF
        log.info("Slack asked to reconnect (%s)", reason or "no reason given")
        self.supervisor.spawn(self._reconnect(delay, self.current_session), name=f"reconnect-{reason}")

    async def _reconnect(self, delay: float, old_session: object) -> None:
        if delay:
            await asyncio.sleep(delay)
        # A `warning` comes before Slack closes the socket: replace it now. If the SDK already
        # replaced it (it reconnects when a socket closes), there is nothing left to do.
        if not self.closed and self.current_session is old_session:
            await self.connect_to_new_endpoint(force=True)

    async def connected(self) -> bool:
        return self.hellos > 0 and await self.is_connected()
