"""Helpers for the tests of charts, exports and shared files: a busy channel, replies, uploads."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator, Workspace
from sloth_emulator.generated import add_history
from sloth_emulator.model import Channel, FileRecord
from tests.e2e.harness import settle, visible_text

WILL, AMELIA, JONAS, PRIYA, KENJI = "U01WJK68KS", "U01AMHART1", "U01JBECKER", "U01PNAIR01", "U01KSATO01"
PNG_SIZE = (1120, 630)


def workspace_with_busy_channel(messages: int = 600, days: int = 30, seed: int = 5) -> Workspace:
    """The default workspace plus #busy: every member and the bot, `messages` messages."""
    ws = Workspace.default()
    busy = ws.create_channel("busy", WILL)
    busy.members.update(dict.fromkeys([AMELIA, JONAS, PRIYA, KENJI, ws.bot_user_id]))
    add_history(ws, busy.id, messages=messages, days=days, seed=seed)
    return ws


def channel(emu: Emulator, name: str) -> Channel:
    found = emu.workspace.channel(name)
    assert found is not None
    return found


async def run(emu: Emulator, runtime: Runtime, text: str, **where: Any) -> list[dict[str, Any]]:
    """`/sloth <text>`, handled to the end; every body posted to its response_url, in order."""
    delivery = await emu.slash_command(text=text, **where)
    await delivery.acked()
    await settle(runtime)
    url = delivery.payload["response_url"]
    return [p.body for p in emu.responses if p.url == url]


def said(bodies: list[dict[str, Any]]) -> str:
    return " ".join(visible_text(b) for b in bodies)


def uploads(emu: Emulator) -> list[FileRecord]:
    """Files the bot uploaded and shared, oldest first."""
    return [f for f in emu.workspace.files.values() if f.user == emu.bot_user_id and f.complete]


def file_messages(emu: Emulator, where: str) -> list[dict[str, Any]]:
    return [m for m in emu.messages(where) if m.get("files") and m.get("user") == emu.bot_user_id]


def png_size(data: bytes) -> tuple[int, int]:
    """Decode the PNG fully (not just its header) and return its size."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.mode in ("RGB", "RGBA")
    return image.size


def distinct_colours(data: bytes) -> int:
    """How many colours the image uses: a blank or failed chart has very few."""
    image = Image.open(io.BytesIO(data)).convert("RGB").resize((280, 158))
    return len(image.getcolors(maxcolors=280 * 158) or [])
