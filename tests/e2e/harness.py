"""Run the real Sloth runtime against the emulator, both on 127.0.0.1 with port 0."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.emulator import Emulator
from bot.router import Router
from bot.runtime import Runtime
from bot.settings import Settings


def bot_settings(emu: Emulator, data_dir: Path, **overrides: Any) -> Settings:
    settings = Settings(
        bot_token=emu.bot_token,
        app_token=emu.app_token,
        api_url=emu.api_url,
        http_host="127.0.0.1",
        http_port=0,
        data_dir=data_dir,
        store_url=f"sqlite:///{data_dir / 'sloth.db'}",
    )
    return replace(settings, **overrides)


@asynccontextmanager
async def running_bot(
    emu: Emulator, data_dir: Path, connections: int = 1, routers: list[Router] | None = None,
    clock: Callable[[], float] = time.time, **overrides: Any,
) -> AsyncIterator[Runtime]:
    """A started runtime whose socket is connected (`connections`: how many the emulator should see)."""
    async with Runtime(bot_settings(emu, data_dir, **overrides), routers=routers, clock=clock) as runtime:
        await emu.wait_connected(connections, timeout=10)
        yield runtime


async def settle(runtime: Runtime) -> None:
    """Wait until every envelope acked so far has been fully handled (replies sent)."""
    await runtime.pool.queue.join()


async def ask(emu: Emulator, runtime: Runtime, text: str, **where: Any) -> dict[str, Any]:
    """Send `/sloth <text>`, wait for it to be handled, return the body posted to its response_url."""
    delivery = await emu.slash_command(text=text, **where)
    await delivery.acked()
    await settle(runtime)
    url = delivery.payload["response_url"]
    posts = [p for p in emu.responses if p.url == url]
    assert len(posts) == 1, f"expected one reply to {text!r}, got {len(posts)}"
    body: dict[str, Any] = posts[0].body
    return body


def visible_text(body: dict[str, Any]) -> str:
    """Everything a reader would see in a message body: text, blocks, attachments."""
    import json

    return json.dumps([body.get("text"), body.get("blocks"), body.get("attachments")], ensure_ascii=False)
