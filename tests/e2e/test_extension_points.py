"""Feature routers can add HTTP routes and start-up hooks; the runtime wires them once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.app import feature_routers
from bot.context import Context
from bot.emulator import Emulator
from bot.router import Router
from tests.e2e.harness import running_bot


async def test_routes_and_start_hooks(emulator: Emulator, tmp_path: Path) -> None:
    feature = Router()
    started = asyncio.Event()

    @feature.http("GET", "/hello")
    async def hello(ctx: Context, request: web.Request) -> web.Response:
        return web.json_response({"team": ctx.identity.team_id, "name": request.query.get("name")})

    @feature.started
    async def on_start(ctx: Context) -> None:
        started.set()

    async with running_bot(emulator, tmp_path, routers=[*feature_routers(), feature]) as runtime:
        await asyncio.wait_for(started.wait(), 5)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{runtime.http_port}/hello?name=sloth") as response:
                assert await response.json() == {"team": emulator.team_id, "name": "sloth"}
