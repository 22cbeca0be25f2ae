"""Small helpers for the emulator's own end-to-end tests (real slack_sdk clients, 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from sloth_emulator import Emulator

GENERAL = "C01GENERAL"
RANDOM = "C01RANDOM1"
WJK68 = "U01WJK68KS"
AMELIA = "U01AMHART1"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def bot_client(emu: Emulator) -> AsyncWebClient:
    return AsyncWebClient(token=emu.bot_token, base_url=emu.api_url)


def user_client(emu: Emulator) -> AsyncWebClient:
    return AsyncWebClient(token=emu.user_token, base_url=emu.api_url)


async def failure(call: Awaitable[Any]) -> AsyncSlackResponse:
    """The response of a call that must fail, as slack_sdk raises it."""
    with pytest.raises(SlackApiError) as raised:
        await call
    response: AsyncSlackResponse = raised.value.response
    return response


async def error_of(call: Awaitable[Any]) -> str:
    return str((await failure(call))["error"])


async def serve(handler: Handler | web.Application) -> tuple[web.AppRunner, str]:
    """`handler` (or a whole aiohttp app) served at /slack/events on 127.0.0.1, a free port: (runner, its URL)."""
    if not isinstance(handler, web.Application):
        app = web.Application()
        app.router.add_post("/slack/events", handler)
        handler = app
    runner = web.AppRunner(handler)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
