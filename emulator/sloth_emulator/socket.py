"""Socket Mode: one-time tickets, the /link/ WebSocket, envelopes, acks and event redelivery."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, WSMsgType, web

from sloth_emulator.delivery import Delivery, Envelope

if TYPE_CHECKING:
    from sloth_emulator.emulator import Emulator

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 10  # per app, as at Slack
HOST = "applink-emulator"


class NoConnectionError(RuntimeError):
    """A slash command or click had no open Socket Mode connection to go to."""


@dataclass
class Connection:
    id: int
    ws: web.WebSocketResponse
    request: web.Request
    opened_at: float = field(default_factory=time.time)
    # Sent a disconnect frame but still open: Slack keeps such a connection about 10 s and may
    # still deliver on it; new envelopes go elsewhere unless a test targets it.
    retiring: bool = False
    retiring_since: float = 0.0
    # Dead without a word: no pongs, nothing sent, nothing read (a half-open TCP connection).
    silent: bool = False

    @property
    def host(self) -> str:
        return f"{HOST}-{self.id}"


class SocketHub:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.connections: list[Connection] = []
        self.link_disabled = False
        self.closing = False
        self.events_sent: list[Envelope] = []
        self.acks: dict[str, Envelope] = {}
        self._tickets: set[str] = set()
        self._deliveries: dict[str, Delivery] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._turn = 0
        self.opened = 0
        self.acks_to_lose = 0
        self.lost_acks: list[Envelope] = []

    def issue_url(self) -> str:
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        return f"{self.emu.socket_url}?ticket={ticket}&app_id={self.emu.app_id}"

    def _frame_info(self, host: str) -> dict[str, Any]:
        return {"debug_info": {"host": host, "build_number": 1, "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.emu.app_id}}

    async def handle_link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if self.closing:
            return web.json_response({"ok": False, "error": "server_shutting_down"}, status=503)
        if ticket not in self._tickets:
            # A ticket is good for one connection; reconnecting means calling apps.connections.open again.
            return web.json_response({"ok": False, "error": "invalid_ticket"}, status=401)
        self._tickets.discard(ticket)
        # Pings are answered by hand (not autoping) so a connection can be made to stop answering.
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        self.opened += 1
        connection = Connection(self.opened, ws, request)
        if len(self.connections) >= MAX_CONNECTIONS:
            await ws.send_json({"type": "disconnect", "reason": "too_many_websockets",
                                "num_connections": len(self.connections), **self._frame_info(connection.host)})
            await ws.close()
            return ws
        await ws.send_json({"type": "hello", "num_connections": len(self.connections) + 1,
                            **self._frame_info(connection.host)})
        # Registered only after hello, so no envelope can overtake it.
        self.connections.append(connection)
        self.emu.changed()
        try:
            async for message in ws:
                if connection.silent:
                    continue
                if message.type == WSMsgType.PING:
                    await ws.pong(message.data)
                elif message.type == WSMsgType.TEXT:
                    self._on_frame(message.data)
        finally:
            self.connections.remove(connection)
            self.emu.changed()
        return ws

    def _on_frame(self, data: str) -> None:
        try:
            frame = json.loads(data)
        except json.JSONDecodeError:
            log.warning("ignoring a frame that is not JSON: %.80s", data)
            return
        envelope_id = frame.get("envelope_id") if isinstance(frame, dict) else None
        if not envelope_id:
            return
        if self.acks_to_lose > 0:
            # Fault injection: the ack went out but never arrived, so Slack will redeliver.
            self.acks_to_lose -= 1
            self.lost_acks.append(frame)
            return
        self.acks.setdefault(envelope_id, frame)
        delivery = self._deliveries.get(envelope_id)
        if delivery is not None and delivery.settle(envelope_id, frame):
            self.emu.on_ack(delivery, frame)
        self.emu.changed()

    def connection(self, connection_id: int) -> Connection:
        found = next((c for c in self.connections if c.id == connection_id), None)
        if found is None:
            raise ValueError(f"no open connection {connection_id}")
        return found

    def _pick(self, avoid: Connection | None = None) -> Connection | None:
        """Round-robin over live connections, skipping `avoid` when there is another. A retiring
        connection only when no other is open, and then the one told to leave last (the others
        close sooner); a silent one stays in the rotation (Slack does not know it is dead either)."""
        open_ones = [c for c in self.connections if not c.ws.closed]
        live = [c for c in open_ones if not c.retiring]
        if not live and open_ones:
            live = [max(open_ones, key=lambda c: c.retiring_since)]
        if avoid is not None and len(live) > 1:
            live = [c for c in live if c is not avoid]
        if not live:
            return None
        self._turn += 1
        return live[self._turn % len(live)]

    async def _send(self, delivery: Delivery, envelope: Envelope, connection: Connection) -> bool:
        envelope_id = envelope["envelope_id"]
        self._deliveries[envelope_id] = delivery
        delivery.mark_sent(envelope_id)
        if connection.silent:
            log.info("envelope %s lost in silent connection %s", envelope_id, connection.id)
            return False
        try:
            await connection.ws.send_str(json.dumps(envelope))
        except (ConnectionError, RuntimeError) as exc:
            log.info("envelope %s lost with connection %s: %s", envelope_id, connection.id, exc)
            return False
        self.events_sent.append(envelope)
        self.emu.changed()
        return True

    async def deliver(self, kind: str, payload: dict[str, Any], connection_id: int | None = None) -> Delivery:
        """Send an envelope on the next connection in turn, or on `connection_id` (a retiring one too)."""
        envelope: Envelope = {"envelope_id": str(uuid.uuid4()), "payload": payload, "type": kind,
                              "accepts_response_payload": kind != "events_api"}
        if kind == "events_api":
            envelope.update({"retry_attempt": 0, "retry_reason": ""})
        delivery = Delivery(envelope)
        connection = self.connection(connection_id) if connection_id is not None else self._pick()
        if connection is None and kind != "events_api":
            # Slack shows the user "dispatch_failed"; a test wants to hear about it at once.
            raise NoConnectionError(f"no open Socket Mode connection for {kind}")
        if connection is not None:
            await self._send(delivery, envelope, connection)
        if kind == "events_api":
            self.spawn(self._redeliver(delivery, connection))
        return delivery

    async def _redeliver(self, delivery: Delivery, last: Connection | None) -> None:
        """Re-send an unacked event: same payload and event_id, a new envelope, another connection."""
        for attempt in range(1, self.emu.max_redeliveries + 1):
            with contextlib.suppress(TimeoutError):
                await delivery.acked(timeout=self.emu.redelivery_delay)
                return
            envelope = {**delivery.envelope, "envelope_id": str(uuid.uuid4()), "retry_attempt": attempt,
                        "retry_reason": "timeout"}
            delivery.envelopes.append(envelope)
            connection = self._pick(avoid=last)
            if connection is not None and await self._send(delivery, envelope, connection):
                last = connection

    async def disconnect(self, reason: str, connection_ids: list[int] | None = None, close_after: float = 0.0) -> None:
        """Send {"type": "disconnect", "reason": …} and close; with close_after, keep the connection
        open (retiring) that many seconds first, as Slack does after refresh_requested / warning."""
        if reason == "link_disabled":
            self.link_disabled = True
        chosen = [c for c in self.connections if connection_ids is None or c.id in connection_ids]
        for connection in chosen:
            if not connection.retiring:  # told again, it still closes when first told
                connection.retiring, connection.retiring_since = True, time.monotonic()
            with contextlib.suppress(ConnectionError, RuntimeError):
                await connection.ws.send_json({"type": "disconnect", "reason": reason,
                                               "debug_info": {"host": connection.host}})
            if close_after > 0:
                self.spawn(self._close_later(connection, reason, close_after))
            else:
                await connection.ws.close(code=WSCloseCode.OK, message=reason.encode())

    async def _close_later(self, connection: Connection, reason: str, delay: float) -> None:
        await asyncio.sleep(delay)  # the grace period itself is what is modelled here
        await connection.ws.close(code=WSCloseCode.OK, message=reason.encode())

    def silence(self, connection_id: int) -> None:
        """Let a connection die without a close frame: it stops answering pings, sending and reading."""
        self.connection(connection_id).silent = True

    def drop(self, connection_id: int) -> None:
        """Cut the TCP connection under a socket at once, without a close frame."""
        connection = self.connection(connection_id)
        transport = connection.request.transport
        if transport is not None:
            transport.abort()

    def spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        self.closing = True  # an SDK client reconnecting while we stop finds the door shut
        for task in list(self._tasks):
            task.cancel()
        for connection in list(self.connections):
            await connection.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")
        self._tickets.clear()
