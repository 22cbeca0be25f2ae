"""Emulator methods for the slower parts of Slack a test drives by hand: Socket Mode faults, HTTP
delivery to the app's request URL (sloth_emulator.request_url), chat.scheduleMessage's delivery,
and block kinds a workspace does not take."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sloth_emulator.clock import FakeClock
from sloth_emulator.delivery import Delivery
from sloth_emulator.request_url import RequestUrl, SentRequest
from sloth_emulator.socket import SocketHub
from sloth_emulator.workspace import Workspace


class SocketFaults:
    hub: SocketHub
    outbound: RequestUrl

    async def disconnect_all(self, reason: str = "refresh_requested", close_after: float = 0.0) -> None:
        """Send {"type": "disconnect", "reason": ...} on every socket, then close them (after
        `close_after` seconds: Slack keeps them open about 10 s). After "link_disabled",
        apps.connections.open fails until enable_socket_mode() is called."""
        await self.hub.disconnect(reason, close_after=close_after)

    async def disconnect(self, connection_id: int, reason: str = "refresh_requested", close_after: float = 0.0) -> None:
        """disconnect_all for one connection."""
        await self.hub.disconnect(reason, [connection_id], close_after)

    def silence_connection(self, connection_id: int | None = None) -> None:
        """The connection (every one, without an ID) dies without a close frame: no more pongs,
        frames or acks through it, as a half-open TCP connection."""
        for found in self._connection_ids(connection_id):
            self.hub.silence(found)

    def drop_connection(self, connection_id: int | None = None) -> None:
        """Abort the TCP connection under a socket (every one, without an ID), without a close frame."""
        for found in self._connection_ids(connection_id):
            self.hub.drop(found)

    def _connection_ids(self, connection_id: int | None) -> list[int]:
        return [c.id for c in self.hub.connections] if connection_id is None else [connection_id]

    def lose_acks(self, count: int = 1) -> None:
        """Drop the next `count` acks as if lost in transit (in HTTP mode: responses); unacked events
        are then redelivered."""
        if self.outbound.url is not None:
            self.outbound.responses_to_lose += count
        else:
            self.hub.acks_to_lose += count

    @property
    def sockets_opened(self) -> int:
        """How many Socket Mode connections have opened so far: a reconnect adds one."""
        return self.hub.opened

    def enable_socket_mode(self) -> None:
        self.hub.link_disabled = False


class HttpDelivery:
    """How Slack reaches the app: over Socket Mode (the default), or to its request URL over HTTP."""

    hub: SocketHub
    outbound: RequestUrl

    def changed(self) -> None:
        raise NotImplementedError

    async def use_request_url(self, url: str) -> None:
        """Deliver every command, interaction and event to `url` over HTTP from now on (Socket Mode
        off), once it answered Slack's signed url_verification (RequestUrlRefused if not)."""
        await self.outbound.use(url)
        self.changed()

    def use_socket_mode(self) -> None:
        """Deliver over Socket Mode connections again."""
        self.outbound.url = None

    @property
    def request_url(self) -> str | None:
        """Where commands, interactions and events go over HTTP; None in Socket Mode."""
        return self.outbound.url

    @property
    def signing_secret(self) -> str:
        """The app's signing secret (Basic Information -> App Credentials), for HTTP delivery."""
        return self.outbound.signing_secret

    @property
    def http_requests(self) -> list[SentRequest]:
        """Every request made to the app's request URL, retries included, with what came back."""
        return self.outbound.sent

    @property
    def failed_requests(self) -> list[Delivery]:
        """Commands and interactions sent over HTTP that the app did not ack in time (the member saw an error)."""
        return self.outbound.failed

    async def ssl_check(self, url: str | None = None) -> int | None:
        """Slack's certificate check of a slash command URL (`ssl_check=1`); the app's status code."""
        return await self.outbound.ssl_check(url)

    async def deliver(self, kind: str, payload: dict[str, Any], connection_id: int | None = None) -> Delivery:
        """Send `payload` as Slack would: to the request URL in HTTP mode, else as a Socket Mode
        envelope (on connection `connection_id` when given)."""
        if self.outbound.url is not None:
            if connection_id is not None:
                raise ValueError("connection_id is a Socket Mode connection; this emulator delivers over HTTP")
            return self.outbound.deliver(kind, payload)
        return await self.hub.deliver(kind, payload, connection_id)


class BlockRefusals:
    refused_blocks: frozenset[str] = frozenset()

    def refuse_block_types(self, kinds: set[str] | frozenset[str]) -> None:
        """From now on every message holding a block of one of `kinds` (`{"table"}`; none: every
        kind taken again) is refused as a workspace or client without them refuses it: chat.*
        answer `invalid_blocks` naming the block ("unsupported type: table [json-pointer:/blocks/0/type]"),
        a response_url HTTP 400 `invalid_blocks` (see sloth_emulator.block_rules)."""
        self.refused_blocks = frozenset(kinds)


class ScheduledPosts:
    workspace: Workspace
    clock: Callable[[], float]
    timers: list[asyncio.TimerHandle]
    unposted: list[dict[str, Any]]  # scheduled messages that never posted (they carried metadata)

    def changed(self) -> None:
        raise NotImplementedError

    def schedule_post(self, entry: dict[str, Any]) -> None:
        """Post a chat.scheduleMessage entry when its time comes (only while running; on a FakeClock,
        when `advance` reaches it)."""
        if isinstance(self.clock, FakeClock):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        delay = max(0.0, entry["post_at"] - self.clock())
        self.timers.append(loop.call_later(delay, self._post_scheduled, entry))

    def post_due(self) -> None:
        """Post every scheduled message whose time has come by the clock."""
        for entry in [e for e in self.workspace.scheduled if e["post_at"] <= self.clock()]:
            self._post_scheduled(entry)

    def _post_scheduled(self, entry: dict[str, Any]) -> None:
        ws = self.workspace
        if entry not in ws.scheduled:
            return
        ws.scheduled.remove(entry)
        if entry.get("never_posts"):
            self.unposted.append(entry)
            self.changed()
            return
        channel = ws.channels.get(entry["channel_id"])
        if channel is not None and not channel.is_archived:
            thread_ts = entry["thread_ts"] if entry["thread_ts"] in channel.messages else None
            ws.post(channel, entry["message"], thread_ts=thread_ts)
        self.changed()
