"""Feature routers can add HTTP routes and start and stop hooks; the runtime wires them once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.api import Context, Router
from bot.features.registry import Feature
from bot.testing import registry_for
from sloth_emulator import Emulator
from tests.e2e.harness import running_bot


async def test_routes_and_start_and_stop_hooks(emulator: Emulator, tmp_path: Path) -> None:
    feature = Router("hello")
    started, stopped = asyncio.Event(), asyncio.Event()

    @feature.http("GET", "/hello")
    async def hello(ctx: Context, request: web.Request) -> web.Response:
        return web.json_response({"team": ctx.identity.team_id, "name": request.query.get("name"),
                                  "feature": ctx.feature, "opened": ctx.state.opened})

    @feature.started
    async def on_start(ctx: Context) -> None:
        ctx.state.opened = "yes"
        started.set()

    @feature.stopping
    async def on_stop(ctx: Context) -> None:
        stopped.set()

    base = registry_for()
    registry = type(base)([*base.features, Feature(feature, "test", "test_extension_points")])
    async with running_bot(emulator, tmp_path, registry=registry) as runtime:
        assert started.is_set()  # start hooks have run before Sloth takes requests
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{runtime.http_port}/hello?name=sloth") as response:
                assert await response.json() == {"team": emulator.team_id, "name": "sloth", "feature": "hello",
                                                 "opened": "yes"}
        assert not stopped.is_set()
    assert stopped.is_set()
