"""Socket Mode: ack every envelope the moment it is read, then hand it to the workers.

It runs on an event loop of its own, in a thread (`bot.socket.thread`), so that no feature's
handler, however it blocks the main loop, can hold up an ack.

slack_sdk's aiohttp client asks Slack for connection URLs (`apps.connections.open`, rate limits
included), holds the aiohttp session and serialises reconnects (`connect_to_new_endpoint`).
This subclass owns each WebSocket it opens (a `Link`):

- Acks inline. Bolt (and the SDK's default path) queue a frame, start a task per envelope and
  poll for the ack every 10 ms; Sloth acks on the receive loop instead, on the connection the
  envelope came in on, so an ack costs one JSON parse and one send. The work runs afterwards on
  a bounded pool.
- Liveness. A connection can die without a close frame (a half-open TCP connection); the SDK's
  ping check notices after 4-5 s. Sloth pings a connection that has been quiet for PING_AFTER
  seconds and replaces it when nothing at all comes back within PONG_WAIT. A connection that
  ends without a disconnect frame is replaced at once.
- Retiring. After `refresh_requested` or `warning`, Slack keeps the old connection open about
  10 s and may still deliver on it. The SDK closes it as it opens the new one, so an envelope
  in flight is never acked; Sloth opens the new one and keeps reading and acking the old one
  until Slack closes it, or RETIRE_SECONDS pass.
- `link_disabled` means Socket Mode was turned off for the app, so reconnecting would loop
  forever: Sloth stops and says so. `too_many_websockets` waits before trying again.
- Answering in the ack. A view submission's `response_action` (errors under the form's fields,
  the next view) is read by Slack from the ack alone: `ack_answer` (`bot.handling.ack_answer`,
  pure and fast) gives the ack's payload for an interaction, here on the socket thread.
- Refusing. `on_envelope` (bot.handling.intake: journaled and queued before the ack) says
  whether the envelope was taken; it is not when too many are still unfinished (the main loop is
  held up or overwhelmed). Then an event is left unacked, so Slack redelivers it (to another
  replica, or here once there is room), a slash command is acked with a short "busy" answer
  (bot.handling.ack_answer), which Slack shows the member, and anything else is left unacked, so
  Slack tells the member it did not go through: nothing is acked and then lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import ClientWebSocketResponse, WSMsgType
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient

from bot.handling.ack_answer import busy_answer
from bot.socket.link import Link, ack, ping, shut
from bot.work.metrics import Metrics
from bot.work.supervisor import Supervisor

log = logging.getLogger(__name__)

PING_AFTER = 0.5  # seconds without a frame before Sloth pings (a busy connection is never pinged)
PONG_WAIT = 1.0  # seconds after that ping with nothing read before the connection counts as dead
RETIRE_SECONDS = 15.0  # the longest an old connection is kept after Slack asked Sloth to move
RETRY_SECONDS = 1.0  # before trying again to open a connection, doubling up to MAX_RETRY_SECONDS
MAX_RETRY_SECONDS = 30.0
# Seconds to wait before reconnecting after `too_many_websockets` (Slack allows 10 per app).
TOO_MANY_BACKOFF = 10.0


class SocketClient(SocketModeClient):
    def __init__(
        self,
        *,
        on_envelope: Callable[[dict[str, Any]], bool],
        on_fatal: Callable[[str], None],
        metrics: Metrics,
        supervisor: Supervisor,
        ack_answer: Callable[[dict[str, Any]], dict[str, Any] | None] = lambda payload: None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.on_envelope = on_envelope
        self.ack_answer = ack_answer
        self.on_fatal = on_fatal
        self.metrics = metrics
        self.supervisor = supervisor
        self.link: Link | None = None  # the current connection; older ones may still be retiring
        self.links: set[Link] = set()  # every open one, current and retiring
        self._loop = asyncio.get_running_loop()
        self._watcher: asyncio.Task[None] | None = None
        self.refusing = False
        self.disabled = False  # link_disabled: Socket Mode is off for the app

    # -- connections --------------------------------------------------------------------------

    async def connect(self) -> None:
        """Open a new connection, then retire the old one (the SDK closes the old one first)."""
        ws = await self._open()
        if ws is None:
            return
        old, link = self.link, Link(ws, self._loop.time())
        self.link, self.current_session = link, ws
        self.links.add(link)
        link.reader = self.supervisor.spawn(self._read(link), name="socket-reader")
        if self._watcher is None:
            self._watcher = self.supervisor.spawn(self._watch(), name="socket-liveness")
        if old is not None:
            self._retire(old)

    async def _open(self) -> ClientWebSocketResponse | None:
        while not self.closed:
            if self.aiohttp_client_session.closed:
                # A closed session would wedge every reconnect (python-slack-sdk #1922).
                self.aiohttp_client_session = aiohttp.ClientSession()
            if self.wss_uri is None:
                self.wss_uri = await self.issue_new_wss_url()
            try:
                return await self.aiohttp_client_session.ws_connect(
                    self.wss_uri, autoping=False, proxy=self.proxy,
                    ssl=self.web_client.ssl if self.web_client.ssl is not None else True,
                )
            except (aiohttp.ClientError, OSError) as e:
                log.warning("could not open the Socket Mode connection (%s); retrying", e)
                self.wss_uri = None  # a URL is a one-time ticket
                await asyncio.sleep(RETRY_SECONDS)
        return None

    def _retire(self, link: Link) -> None:
        link.leaving = True
        if not link.ws.closed:
            keep = RETIRE_SECONDS if link.told_to_leave else 0.0
            self.supervisor.spawn(self._close_later(link, keep), name="socket-retire")

    async def _close_later(self, link: Link, keep: float) -> None:
        if keep and link.reader is not None:
            await asyncio.wait([link.reader], timeout=keep)  # until Slack closes it, at most `keep`
        await shut(link)

    def _replace(self, link: Link, reason: str, delay: float = 0.0) -> None:
        link.leaving = True
        self.metrics.reconnects.labels(reason).inc()
        self.supervisor.spawn(self._reconnect(link, delay), name=f"reconnect-{reason}")

    async def _reconnect(self, link: Link, delay: float) -> None:
        wait = RETRY_SECONDS
        if delay:
            await asyncio.sleep(delay)
        # Until it works, unless something else replaced the connection meanwhile. The old one
        # stays current (and is still read) until a new one is open.
        while not self.closed and self.link is link and self.auto_reconnect_enabled:
            try:
                await self.connect_to_new_endpoint(force=True)
                return
            except (SlackApiError, aiohttp.ClientError, OSError) as e:
                log.warning("could not reconnect (%s); trying again in %.0f s", e, wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, MAX_RETRY_SECONDS)  # apps.connections.open is Tier 1

    # -- reading ------------------------------------------------------------------------------

    async def _read(self, link: Link) -> None:
        ws = link.ws
        try:
            while True:
                message = await ws.receive()
                # Any frame, a pong or an envelope, shows the far end is alive.
                link.last_read = self._loop.time()
                link.pinged_at = None
                if message.type is WSMsgType.TEXT:
                    try:
                        await self._on_text(link, message.data)
                    except Exception:  # a bug in one frame's handling; the connection goes on
                        log.exception("failed to handle a Socket Mode frame")
                elif message.type is WSMsgType.PING:
                    await ws.pong(message.data)
                elif message.type is not WSMsgType.PONG:
                    return  # CLOSE, CLOSING, CLOSED or ERROR: this connection is over
        except (aiohttp.ClientError, ConnectionError) as e:
            log.info("Socket Mode connection failed: %s", e)
        finally:
            self._ended(link)

    def _ended(self, link: Link) -> None:
        self.links.discard(link)
        if self.closed:
            return
        if not link.ws.closed:  # the reader failed; the far end may not know
            self.supervisor.spawn(shut(link), name="socket-close")
        if link is not self.link:
            return
        self.metrics.connected.set(0)
        if not link.leaving and self.auto_reconnect_enabled:
            log.warning("the Socket Mode connection ended without a disconnect frame; reconnecting")
            self._replace(link, "dropped")

    async def _on_text(self, link: Link, message: str) -> None:
        started = time.perf_counter()
        try:
            frame = json.loads(message)
        except ValueError:
            log.warning("ignoring a frame that is not JSON")
            return
        if not isinstance(frame, dict):
            return
        kind = frame.get("type", "")
        envelope_id = frame.get("envelope_id")
        if envelope_id:
            # Journaled and handed over before the ack is sent, so "acked" implies "written down
            # and queued": neither a drain after the ack nor this process dying can lose it.
            if not self.on_envelope(frame):
                await self._refuse(link, frame)
                return
            if self.refusing:
                self.refusing = False
                log.info("taking envelopes again")
            answer = self.ack_answer(frame.get("payload") or {}) if kind == "interactive" else None
            await ack(link, envelope_id, answer)
            self.metrics.ack_latency.observe(time.perf_counter() - started)
            self.metrics.envelopes.labels(kind).inc()
            if link.told_to_leave:
                self.metrics.retiring_envelopes.inc()
        elif kind == "hello":
            link.hello = True
            if link is self.link:
                self.metrics.connected.set(1)
            log.info("socket connected (%s open connections)", frame.get("num_connections", "?"))
        elif kind == "disconnect":
            self._on_disconnect(link, str(frame.get("reason", "")))

    async def _refuse(self, link: Link, frame: dict[str, Any]) -> None:
        kind = str(frame.get("type", ""))
        self.metrics.refused.labels(kind).inc()
        if not self.refusing:
            self.refusing = True
            log.warning("too many envelopes are unfinished: refusing new ones until some are handled "
                        "(events are left for Slack to redeliver, slash commands are told Sloth is busy)")
        answer = busy_answer(kind)
        if answer is not None:
            await ack(link, str(frame["envelope_id"]), answer)

    def _on_disconnect(self, link: Link, reason: str) -> None:
        if reason == "link_disabled":
            self._stop_for_good(link)
            return
        if link is not self.link or link.leaving:
            return  # said again on a connection already being replaced
        if reason == "too_many_websockets":
            # Arrives before hello and the socket closes; trying again at once would be refused.
            self._replace(link, reason, delay=TOO_MANY_BACKOFF)
            return
        log.info("Slack asked to reconnect (%s)", reason or "no reason given")
        link.told_to_leave = True
        self._replace(link, reason or "unknown")

    def _stop_for_good(self, link: Link) -> None:
        log.error("Slack disabled Socket Mode for this app (disconnect: link_disabled); not reconnecting")
        self.metrics.reconnects.labels("link_disabled").inc()
        self.metrics.connected.set(0)
        link.leaving = True
        self.disabled = True
        self.auto_reconnect_enabled = False
        self.default_auto_reconnect_enabled = False
        self.on_fatal(
            "Socket Mode was disabled for this app in Slack (link_disabled). "
            "Turn Socket Mode back on in the app's settings, then start Sloth again."
        )

    # -- liveness -----------------------------------------------------------------------------

    async def _watch(self) -> None:
        """Ping the current connection when it goes quiet; replace it when the ping goes unanswered.
        One timer per client, sleeping until the next thing can be due; nothing per frame."""
        while True:  # until close() cancels it
            wait = self._check(self.link, self._loop.time())
            await asyncio.sleep(wait)

    def _check(self, link: Link | None, now: float) -> float:
        """Act on the current connection; seconds until it next needs a look."""
        if link is None or link.leaving or link.ws.closed:
            return PING_AFTER  # being replaced or reconnecting
        if link.pinged_at is None:
            quiet = now - link.last_read
            if quiet < PING_AFTER:
                return PING_AFTER - quiet
            link.pinged_at = now
            # Its own task: a send stuck behind a full buffer must not stall the watch.
            self.supervisor.spawn(ping(link), name="socket-ping")
            return PONG_WAIT
        waited = now - link.pinged_at
        if waited < PONG_WAIT:
            return PONG_WAIT - waited
        log.warning("no answer from Slack for %.1f s; replacing the Socket Mode connection", now - link.last_read)
        self.metrics.connected.set(0)
        self._replace(link, "silent")
        return PING_AFTER

    def live(self) -> bool:
        """Connected and answering; only reads, so any thread may ask."""
        link = self.link
        if self.closed or self.disabled or link is None or not link.hello or link.ws.closed:
            return False
        return link.pinged_at is None or self._loop.time() - link.pinged_at < PONG_WAIT

    async def is_connected(self) -> bool:
        return self.live()

    async def close(self) -> None:
        self.closed = True
        self.auto_reconnect_enabled = False
        if self._watcher is not None:
            self._watcher.cancel()
        self.message_processor.cancel()  # the SDK's queue consumer, never fed here
        await asyncio.gather(*(shut(link) for link in list(self.links)))
        await self.aiohttp_client_session.close()
