"""The Slack emulator: a Web API, Socket Mode and response_url server over one workspace, which
can also deliver to the app's request URL over HTTP, signed as Slack signs (`use_request_url`).

The real slack_sdk clients talk to it over real sockets; tests and the sandbox drive it by
acting as Slack (slash commands, messages, clicks, events) and by reading what the bot did.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from sloth_emulator import modals
from sloth_emulator.answers import Posted
from sloth_emulator.app_config import default_manifest
from sloth_emulator.channel_events import ChannelChanges
from sloth_emulator.clock import FakeClock
from sloth_emulator.controls import BlockRefusals, HttpDelivery, ScheduledPosts, SocketFaults
from sloth_emulator.delivery import Delivery, Envelope
from sloth_emulator.functions import Execution
from sloth_emulator.installs import Installs
from sloth_emulator.model import Channel, FileRecord, Message, User
from sloth_emulator.ratelimit import RateLimits
from sloth_emulator.request_url import RequestUrl
from sloth_emulator.responses import ResponsePost, ResponseUrls
from sloth_emulator.server import build_app
from sloth_emulator.shapes import message_out
from sloth_emulator.sharing import PendingShare, Shares
from sloth_emulator.socket import SocketHub
from sloth_emulator.surfaces import ActingOnSurfaces
from sloth_emulator.tokens import Tokens
from sloth_emulator.triggers import Triggers
from sloth_emulator.webapi import ApiCall, WebApi
from sloth_emulator.workspace import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")


class Emulator(ActingOnSurfaces, ChannelChanges, SocketFaults, HttpDelivery, ScheduledPosts,
               Installs, BlockRefusals):
    """`bot_scopes`: the scopes the bot token was granted (None: every scope, as before);
    `share_delay`: seconds between files.completeUploadExternal and the share it starts (None:
    shares wait for complete_shares()); `rate_limits`: off by default, RateLimits.realistic()
    for Slack's published limits; `clock`: what response_url expiry, trigger_id lifetimes and
    scheduled messages go by (a FakeClock moves only with `advance`)."""

    def __init__(self, workspace: Workspace | None = None, *, rate_limits: RateLimits | None = None,
                 redelivery_delay: float = 3.0, max_redeliveries: int = 3,
                 clock: Callable[[], float] = time.time, bot_scopes: Iterable[str] | None = None,
                 share_delay: float | None = 0.1) -> None:
        self.workspace = workspace if workspace is not None else Workspace.default()
        self.redelivery_delay = redelivery_delay
        self.max_redeliveries = max_redeliveries
        self.clock = clock
        if clock is not time.time:  # the workspace's "now" (scheduling, stamps) follows a clock given here
            self.workspace.clock = clock
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
        self.token_rotation = False  # installs grant expiring tokens and refresh tokens (sloth_emulator.installs)
        self.distributed_unlisted = False  # history limited as for apps distributed outside the Marketplace
        self._history_calls: dict[str, float] = {}
        self.approvals: list[tuple[str, str]] = []  # (user ID, where the authorize page sent them)
        self.triggers = Triggers(clock)
        self.uploads: dict[str, str] = {}  # upload URL key -> file ID
        self.calls: list[ApiCall] = []
        self.api = WebApi(self, rate_limits)
        self.hub = SocketHub(self)
        self.outbound = RequestUrl(self)  # HTTP delivery, once use_request_url is called
        self.response_urls = ResponseUrls(self)
        self.shares = Shares(self, share_delay)
        self.unposted: list[dict[str, Any]] = []  # scheduled messages that never posted (metadata)
        # (view ID, why) for each view_submission ack Slack would refuse (see sloth_emulator.modals)
        self.refused_view_responses: list[tuple[str, str]] = []
        # Runs of the app's workflow steps, by function_execution_id (see sloth_emulator.functions)
        self.executions: dict[str, Execution] = {}
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
        await self.outbound.close()
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

    def posts(self, channel: str | None = None) -> list[Posted]:
        """Every message the app has posted, as it reads now (edits applied, deleted ones gone),
        ephemeral ones included, oldest first; of one channel (ID or name) when given."""
        channels = [self._channel(channel)] if channel else list(self.workspace.channels.values())
        found = [Posted(c.id, m["ts"], m) for c in channels for m in self.messages(c.id)
                 if m.get("user") == self.bot_user_id]
        found += [Posted(m["channel"], m["ts"], m, ephemeral_to=m["recipient"]) for m in self.workspace.ephemerals
                  if not channel or m["channel"] == channels[0].id]
        return sorted(found, key=lambda p: float(p.ts))

    def uploaded(self) -> list[FileRecord]:
        """Files the app uploaded (upload v2), oldest first: name, title, bytes, where shared."""
        return sorted((f for f in self.workspace.files.values() if f.user == self.bot_user_id),
                      key=lambda f: f.created)

    def views(self, user: str | None = None) -> list[dict[str, Any]]:
        """The modals and Home tabs open now (of `user`, an ID or a handle), as views.open answers them."""
        who = self._user(user).id if user else None
        return [{k: v for k, v in view.items() if k != "user"} for view in self.workspace.views.values()
                if who is None or view["user"] == who]

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

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls of `method` HTTP 429 with `Retry-After: retry_after` and
        {"ok": false, "error": "ratelimited"}, as Slack does past a method's limit."""
        self.api.failures.setdefault(method, []).extend([{"error": "ratelimited", "retry_after": retry_after}] * times)

    def advance(self, seconds: float) -> None:
        """Move a FakeClock given as `clock=` and post the scheduled messages now due."""
        if not isinstance(self.clock, FakeClock):
            raise TypeError("advance() needs the emulator made with clock=FakeClock()")
        self.clock.advance(seconds)
        self.post_due()

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

    # -- hooks for the server side ---------------------------------------------------------

    def on_ack(self, delivery: Delivery, frame: Envelope) -> None:
        payload = frame.get("payload")
        if delivery.type == "interactive" and delivery.payload.get("type") == "view_submission":
            late = delivery.ack_latency is not None and delivery.ack_latency > modals.ACK_SECONDS
            refused = "the ack came after Slack's 3 seconds" if late else \
                modals.apply_ack(self.workspace, delivery.payload["view"], payload)
            if refused is not None:
                self.refused_view_responses.append((str(delivery.payload["view"]["id"]), refused))
            self.changed()
            return
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
