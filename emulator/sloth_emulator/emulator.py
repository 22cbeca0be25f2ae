"""The Slack emulator: a Web API, Socket Mode and response_url server over one workspace.

The real slack_sdk clients talk to it over real sockets; tests and the sandbox drive it by
acting as Slack (slash commands, messages, clicks, events) and by reading what the bot did.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from sloth_emulator import payloads
from sloth_emulator.app_config import default_manifest
from sloth_emulator.channel_events import ChannelChanges
from sloth_emulator.controls import ScheduledPosts, SocketFaults
from sloth_emulator.delivery import Delivery, Envelope
from sloth_emulator.model import Channel, FileRecord, Message, User
from sloth_emulator.ratelimit import RateLimits
from sloth_emulator.responses import ResponsePost, ResponseUrls
from sloth_emulator.server import build_app
from sloth_emulator.shapes import message_out
from sloth_emulator.sharing import PendingShare, Shares
from sloth_emulator.socket import SocketHub
from sloth_emulator.tokens import Tokens
from sloth_emulator.triggers import Triggers
from sloth_emulator.webapi import ApiCall, WebApi
from sloth_emulator.workspace import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")


class Emulator(ChannelChanges, SocketFaults, ScheduledPosts):
    """`bot_scopes`: the scopes the bot token was granted (None: every scope, as before);
    `share_delay`: seconds between files.completeUploadExternal and the share it starts (None:
    shares wait for complete_shares()); `rate_limits`: off by default, RateLimits.realistic()
    for Slack's published limits."""

    def __init__(self, workspace: Workspace | None = None, *, rate_limits: RateLimits | None = None,
                 redelivery_delay: float = 3.0, max_redeliveries: int = 3,
                 clock: Callable[[], float] = time.time, bot_scopes: Iterable[str] | None = None,
                 share_delay: float | None = 0.1) -> None:
        self.workspace = workspace if workspace is not None else Workspace.default()
        self.redelivery_delay = redelivery_delay
        self.max_redeliveries = max_redeliveries
        self.clock = clock
        self.tokens = Tokens(self.workspace.app_id)
        self.bot_token = self.tokens.issue("bot", self.workspace.bot_user_id,
                                           frozenset(bot_scopes) if bot_scopes is not None else None)
        self.app_token = self.tokens.issue("app", self.workspace.bot_user_id)
        self.user_token = self.tokens.issue("user", self.workspace.first_human().id)
        # An app configuration token of the app's owner, for apps.manifest.export, and the app's
        # configuration it exports (see sloth_emulator.app_config; tests replace it at will).
        self.config_token = self.tokens.issue("config", self.workspace.first_human().id)
        self.app_manifest: dict[str, Any] = default_manifest(
            self.workspace, frozenset(bot_scopes) if bot_scopes is not None else None)
        # The app's credentials for oauth.v2.access; the authorize page approves unless told not to.
        self.client_id = f"{secrets.randbelow(9 * 10**9) + 10**9}.{secrets.randbelow(9 * 10**12) + 10**12}"
        self.client_secret = secrets.token_hex(16)
        self.oauth_approves = True
        self.approvals: list[tuple[str, str]] = []  # (user ID, where the authorize page sent them)
        self.triggers = Triggers(clock)
        self.uploads: dict[str, str] = {}  # upload URL key -> file ID
        self.calls: list[ApiCall] = []
        self.api = WebApi(self, rate_limits)
        self.hub = SocketHub(self)
        self.response_urls = ResponseUrls(self)
        self.shares = Shares(self, share_delay)
        self.unposted: list[dict[str, Any]] = []  # scheduled messages that never posted (metadata)
        self.host, self.port = "127.0.0.1", 0
        self._change = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.timers: list[asyncio.TimerHandle] = []

    # -- identity and addresses ------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}api/"

    @property
    def socket_url(self) -> str:
        return f"ws://{self.host}:{self.port}/link/"

    @property
    def team_id(self) -> str:
        return self.workspace.team.id

    @property
    def bot_user_id(self) -> str:
        return self.workspace.bot_user_id

    @property
    def app_id(self) -> str:
        return self.workspace.app_id

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Emulator:
        self._runner = web.AppRunner(build_app(self), shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.host, self.port = host, int(self._runner.addresses[0][1])
        log.info("Slack emulator listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        for timer in self.timers:
            timer.cancel()
        await self.hub.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    # -- observing -------------------------------------------------------------------------

    def changed(self) -> None:
        """Wake everything in wait_for; called after every recorded change."""
        self._change.set()
        self._change = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
        """The first truthy value of predicate(), re-checked after each change; TimeoutError if none."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            change = self._change  # taken before checking, so no change slips in between
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(change.wait(), remaining)

    async def wait_connected(self, n: int = 1, timeout: float = 5.0) -> int:  # noqa: ASYNC109
        return await self.wait_for(lambda: self.connections if self.connections >= n else 0, timeout)

    @property
    def connections(self) -> int:
        return len(self.hub.connections)

    @property
    def events_sent(self) -> list[Envelope]:
        return self.hub.events_sent

    @property
    def acks(self) -> dict[str, Envelope]:
        return self.hub.acks

    @property
    def responses(self) -> list[ResponsePost]:
        return self.response_urls.posts

    def ratelimited(self, method: str, channel: str | None = None) -> int:
        """How many calls of `method` (to `channel`, by ID, or anywhere) were answered 429."""
        return self.api.limiter.count(method, channel) if self.api.limiter is not None else 0

    @property
    def dropped_shares(self) -> list[PendingShare]:
        """Uploads whose share failed silently (see sloth_emulator.sharing)."""
        return self.shares.dropped

    def complete_shares(self) -> int:
        """Finish every file share still waiting (all of them when share_delay is None)."""
        return self.shares.complete_all()

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def messages(self, channel: str) -> list[Message]:
        """Stored messages of a channel (ID or name), oldest first, thread replies included."""
        found = self._channel(channel)
        return [message_out(m, self.workspace, self.base_url) for m in found.messages.values()]

    def ephemerals(self, user: str | None = None, channel: str | None = None) -> list[Message]:
        channel_id = self._channel(channel).id if channel else None
        return [m for m in self.workspace.ephemerals
                if (user is None or m["recipient"] == user) and (channel_id is None or m["channel"] == channel_id)]

    def issue_oauth_code(self, user: str) -> str:
        """A code for oauth.v2.access, as if `user` had just approved the app."""
        return self.tokens.issue_code(self._user(user).id)

    def restrict_scopes(self, token: str, scopes: set[str] | frozenset[str] | None) -> None:
        """Let `token` call only methods its scopes allow (others answer missing_scope); None lifts it."""
        self.tokens.restrict(token, frozenset(scopes) if scopes is not None else None)

    def fail_next(self, method: str, error: str, times: int = 1, **extra: Any) -> None:
        """Answer the next `times` calls of `method` with {"ok": false, "error": error, **extra},
        e.g. fail_next("files.getUploadURLExternal", "missing_scope", needed="files:write")."""
        self.api.failures.setdefault(method, []).extend([{"error": error, **extra}] * times)

    def hold_answers(self, method: str) -> asyncio.Event:
        """Carry out every call of `method` at once but keep its answer until the returned event is
        set, e.g. to stop the caller between Slack doing a thing and the caller learning of it."""
        return self.api.holds.setdefault(method, asyncio.Event())

    def fail_next_response(self, error: str = "expired_url", status: int = 200, times: int = 1) -> None:
        """The next `times` posts to any response_url are refused: HTTP `status` with
        `{"ok": false, "error": error}` (200 included, which some refusals come as)."""
        self.response_urls.planned.extend([(status, error)] * times)

    def token_owner(self, token: str | None) -> str | None:
        """The user a token acts as (the bot user for bot tokens), or None for unknown tokens."""
        info = self.tokens.get(token) if token else None
        return info.user_id if info else None

    # -- acting as Slack -------------------------------------------------------------------

    async def slash_command(self, text: str = "", user: str | None = None, channel: str | None = None,
                            command: str = "/sloth", connection_id: int | None = None) -> Delivery:
        """A member runs `command text`; on connection `connection_id` (a retiring one too) when given."""
        who, where = self._user(user), self._channel(channel)
        target = self.response_urls.issue("command", where.id, who.id)
        payload = payloads.slash_payload(self.workspace, command=command, text=text, user=who, channel=where,
                                         response_url=target.url, trigger_id=self.triggers.issue(who.id))
        return await self.hub.deliver("slash_commands", payload, connection_id)

    async def user_message(self, user: str | None = None, channel: str | None = None, text: str = "",
                           thread_ts: str | None = None) -> Delivery:
        """Post as a person and send the events: `message`, plus `app_mention` if the bot is mentioned
        outside an IM. Returns the app_mention delivery when there is one, else the message's."""
        who, where = self._user(user), self._channel(channel)
        parent = where.messages.get(thread_ts) if thread_ts else None
        if thread_ts and parent is None:
            raise ValueError(f"no message {thread_ts} in {where.id} to reply to")
        stored = self.workspace.post(where, payloads.user_message(self.workspace, who, text),
                                     thread_ts=str(parent.get("thread_ts", parent["ts"])) if parent else None)
        self.changed()
        delivery = await self.send_event(payloads.message_event(stored, where))
        if not where.is_im and re.search(rf"<@{self.bot_user_id}(\|[^>]*)?>", text):
            delivery = await self.send_event(payloads.message_event(stored, where, "app_mention"))
        return delivery

    async def send_event(self, event: dict[str, Any], connection_id: int | None = None) -> Delivery:
        """Deliver an event; on connection `connection_id` (see hub.connections) when given."""
        return await self.hub.deliver("events_api", payloads.event_callback(self.workspace, dict(event)),
                                      connection_id)

    def announce(self, event: dict[str, Any]) -> None:
        """Send an event about something a Web API call just did, once the call has answered
        (only while the emulator runs: without a loop there is no socket to send it on)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self.hub.spawn(self.send_event(event))

    async def click(self, channel: str, ts: str, action_id: str, user: str | None = None,
                    value: str | None = None) -> Delivery:
        """A button (or select) press on a stored message, regular or ephemeral; ValueError if absent."""
        where = self._channel(channel)
        message = where.messages.get(ts)
        ephemeral = None if message else next(
            (m for m in self.workspace.ephemerals if m["ts"] == ts and m["channel"] == where.id), None)
        if message is None and ephemeral is None:
            raise ValueError(f"no message {ts} in {where.id}")
        original = message if message is not None else ephemeral
        assert original is not None
        who = self._user(user or (ephemeral["recipient"] if ephemeral else None))
        element, block_id, attachment_id = payloads.find_action(original, action_id)
        action = payloads.action_from(element, block_id, value)
        target = self.response_urls.issue("click", where.id, who.id, message_ts=ts, is_ephemeral=message is None)
        payload = payloads.block_actions_payload(
            self.workspace, user=who, channel=where, message=message_out(original, self.workspace, self.base_url),
            is_ephemeral=message is None, action=action, attachment_id=attachment_id, response_url=target.url,
            trigger_id=self.triggers.issue(who.id))
        return await self.hub.deliver("interactive", payload)

    # -- hooks for the server side ---------------------------------------------------------

    def on_ack(self, delivery: Delivery, frame: Envelope) -> None:
        payload = frame.get("payload")
        if delivery.type != "slash_commands" or not isinstance(payload, dict):
            return
        if not any(payload.get(k) for k in ("text", "blocks", "attachments")):
            return
        target = self.response_urls.by_url(delivery.payload["response_url"])
        if target is not None:
            self.response_urls.apply_ack(target, payload)

    def receive_upload(self, key: str, data: bytes) -> bool:
        file_id = self.uploads.pop(key, None)
        record = self.workspace.files.get(file_id or "")
        if record is None:
            return False
        record.content = data
        self.changed()
        return True

    def share_later(self, files: list[FileRecord], messages: list[tuple[Channel, Message]],
                    thread_ts: str | None) -> None:
        self.shares.later(files, messages, thread_ts)

    def _user(self, ref: str | None) -> User:
        if ref is None:
            return self.workspace.first_human()
        found = self.workspace.user(ref) or next((u for u in self.workspace.users.values() if u.name == ref), None)
        if found is None:
            raise ValueError(f"no user {ref!r}")
        return found

    def _channel(self, ref: str | None) -> Channel:
        found = self.workspace.general() if ref is None else self.workspace.channel(ref)
        if found is None:
            raise ValueError(f"no channel {ref!r}")
        return found
