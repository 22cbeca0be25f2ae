"""The app token and Socket Mode: apps.connections.open, then one real connection that waits for
Slack's hello and closes at once.

The connection is slack_sdk's own aiohttp SocketModeClient. While Sloth runs, Slack spreads
envelopes over every open connection, this one included, for the moment it is open; it acks
none of them, so Slack redelivers those events to Sloth's connections.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.web.async_client import AsyncWebClient

from bot.doctor.advice import TOKEN_ERRORS, error_of
from bot.doctor.report import Check, failed, ok, skipped
from bot.doctor.tokens import Whoami

APP_TOKEN = "app token (SLACK_APP_TOKEN)"
SOCKET = "Socket Mode"
ONE_APP = "one app"
HELLO_SECONDS = 10.0
APP_TOKEN_FIX = ("create an app-level token (xapp-…) with the connections:write scope under Basic Information -> "
                 "App-Level Tokens")
SOCKET_ON = "turn Socket Mode on in the app's settings (Socket Mode -> Enable Socket Mode)"


def quiet_logger() -> logging.Logger:
    """The SDK logs every failed attempt, with a traceback; the table says it once instead."""
    logger = logging.getLogger("bot.doctor.socket_mode")
    logger.propagate = False
    logger.addHandler(logging.NullHandler())
    return logger


class HelloProbe(SocketModeClient):
    """A Socket Mode client that keeps Slack's first frame (hello, or a disconnect) and nothing else."""

    def __init__(self, app_token: str, web_client: AsyncWebClient) -> None:
        super().__init__(app_token=app_token, web_client=web_client, auto_reconnect_enabled=False,
                         logger=quiet_logger())
        self.first_frame: dict[str, object] | None = None
        self.answered = asyncio.Event()

    async def enqueue_message(self, message: str) -> None:
        # Envelopes are left unacknowledged (see the module's docstring); only the first
        # hello or disconnect matters here.
        try:
            frame = json.loads(message)
        except ValueError:
            return
        if self.first_frame is None and isinstance(frame, dict) and frame.get("type") in ("hello", "disconnect"):
            self.first_frame = frame
            self.answered.set()


@dataclass(frozen=True)
class SocketReport:
    checks: list[Check]
    app_id: str | None  # the app the app token belongs to, when Slack said


def url_app_id(url: str) -> str | None:
    """apps.connections.open's URL names the app: wss://…/link/?ticket=…&app_id=A…"""
    found = parse_qs(urlparse(url).query).get("app_id")
    return found[0] if found else None


async def socket_checks(app_token: str, web_client: AsyncWebClient) -> SocketReport:
    probe = HelloProbe(app_token, web_client)
    try:
        try:
            url = await probe.issue_new_wss_url()
        except SlackApiError as e:
            return SocketReport(refused(e), None)
        except aiohttp.ClientError as e:
            return SocketReport([failed(APP_TOKEN, f"Slack does not answer: {e}", "check SLACK_API_URL and the "
                                        "network"), skipped(SOCKET, "Slack is not reachable")], None)
        app_id = url_app_id(url)
        token = ok(APP_TOKEN, f"Slack opens Socket Mode connections with it, for app {app_id or '(not named)'}")
        probe.wss_uri = url
        connection, hello_app = await connect(probe)
        return SocketReport([token, connection], hello_app or app_id)
    finally:
        await probe.close()


def refused(e: SlackApiError) -> list[Check]:
    code, _ = error_of(e)
    if code in (*TOKEN_ERRORS, "not_allowed_token_type", "missing_scope"):
        return [failed(APP_TOKEN, f"Slack refused it ({code})", APP_TOKEN_FIX),
                skipped(SOCKET, "needs a valid app token")]
    # Not about the token: Slack authenticates before anything else, but this is the last word.
    return [skipped(APP_TOKEN, f"Slack answered {code} before opening a connection"),
            failed(SOCKET, f"apps.connections.open answered {code}: no connection can be opened", SOCKET_ON)]


async def connect(probe: HelloProbe) -> tuple[Check, str | None]:
    """Open the WebSocket and wait for Slack's first frame; (the Socket Mode line, the hello's app ID)."""
    try:
        await asyncio.wait_for(probe.connect(), HELLO_SECONDS)
        await asyncio.wait_for(probe.answered.wait(), HELLO_SECONDS)
    except TimeoutError:
        return failed(SOCKET, f"no hello from Slack within {HELLO_SECONDS:.0f} s",
                      "check that this machine reaches Slack's WebSocket host (wss://, port 443) past any proxy "
                      "or firewall"), None
    frame = probe.first_frame or {}
    if frame.get("type") == "disconnect":
        return disconnected(str(frame.get("reason", ""))), None
    info = frame.get("connection_info")
    app_id = str(info.get("app_id")) if isinstance(info, dict) and info.get("app_id") else None
    count = frame.get("num_connections")
    others = (f"; {int(count) - 1} other connection(s) open, so Sloth (or another client) is connected too"
              if isinstance(count, int) and count > 1 else "; no other connection is open")
    return ok(SOCKET, f"connected: Slack said hello{others}; closed again"), app_id


def disconnected(reason: str) -> Check:
    if reason == "too_many_websockets":
        return failed(SOCKET, "Slack refused the connection (too_many_websockets: 10 are open for this app)",
                      "stop clients or Sloth replicas that use this app token, then check again")
    if reason == "link_disabled":
        return failed(SOCKET, "Slack closed the connection: Socket Mode is switched off (link_disabled)", SOCKET_ON)
    return failed(SOCKET, f"Slack closed the connection before hello ({reason or 'no reason given'})",
                  "run sloth doctor again; if it keeps happening, check Slack's status page")


async def same_app_check(bot_client: AsyncWebClient, bot: Whoami | None,
                         app_id: str | None) -> tuple[Check, str | None]:
    """Both tokens must belong to one app: the bot's app (bots.info) against the app token's.
    Returns the line and the app's ID as far as known."""
    if bot is None or not bot.bot_id:
        return skipped(ONE_APP, "needs a valid bot token"), app_id
    try:
        info = await bot_client.bots_info(bot=bot.bot_id)
    except SlackApiError as e:
        code, _ = error_of(e)
        return skipped(ONE_APP, f"bots.info answered {code}, so the bot's app is unknown"), app_id
    bot_app = str((info.get("bot") or {}).get("app_id") or "")
    if not bot_app or app_id is None:
        return skipped(ONE_APP, "needs the app token's app (Socket Mode did not connect)"), bot_app or app_id
    if bot_app != app_id:
        return failed(ONE_APP, f"the bot token belongs to app {bot_app}, the app token to app {app_id}",
                      "take both tokens from the same app's settings"), bot_app
    return ok(ONE_APP, f"the bot token and the app token both belong to app {app_id}"), app_id
