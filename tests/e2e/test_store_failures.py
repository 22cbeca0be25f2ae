"""A store that stops saving while Sloth runs (a full disk, a read-only volume): members are told,
events are still handled, /healthz answers 503 until the store saves again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.api import Args, Context, Invocation, Param, Reply, Router
from bot.features.registry import Feature
from bot.handling.dispatch import CANT_SAVE
from bot.runtime.lifecycle import Runtime
from bot.testing import registry_for
from sloth_emulator import Emulator
from tests.e2e.harness import ask, running_bot, settle, visible_text
from tests.store_faults import Fault, refusing_writes

notes = Router("notes")


@notes.command("note", "Save a note.", Param("text", "text"))
async def note(ctx: Context, inv: Invocation, args: Args) -> Reply:
    await ctx.store.set(inv.user, args["text"])
    return Reply(text="Saved.")


async def health(runtime: Runtime, path: str = "/healthz") -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{runtime.http_port}{path}") as response:
        return response.status, await response.json()


async def mention(emu: Emulator, runtime: Runtime, user: str, text: str) -> list[str]:
    """@sloth `text` in #general; each message Sloth said back (in the channel, or to `user` alone)."""
    before = len(emu.ephemerals(user=user, channel="general")), len(emu.messages("general"))
    await (await emu.user_message(user=user, channel="general", text=f"<@{emu.bot_user_id}> {text}")).acked()
    await settle(runtime)
    said = emu.ephemerals(user=user, channel="general")[before[0]:] + [
        m for m in emu.messages("general")[before[1]:] if m.get("user") == emu.bot_user_id]
    return [visible_text(m) for m in said]


@pytest.mark.parametrize("fault", ["full", "read-only"])
async def test_members_are_told_and_health_fails_until_the_store_saves_again(
    emulator: Emulator, tmp_path: Path, fault: Fault
) -> None:
    base = registry_for()
    registry = type(base)([*base.features, Feature(notes, "test", "test_store_failures")])
    will = emulator.workspace.first_human().id
    async with running_bot(emulator, tmp_path, registry=registry) as runtime:
        assert await health(runtime) == (200, {"status": "ok", "socket": "connected", "store": "ok"})
        async with refusing_writes(runtime.store.store, fault):
            # The event's id cannot be noted, yet the mention is handled and answered.
            [said] = await mention(emulator, runtime, will, "note buy milk")
            assert "Sloth can't save anything right now" in said
            assert "Sloth can't save anything right now" in visible_text(await ask(emulator, runtime, "note oat milk"))
            [helped] = await mention(emulator, runtime, will, "help")  # what needs no saving still works
            assert "Save a note." in helped and "can't save" not in helped
            assert await health(runtime) == (503, {"status": "unavailable", "socket": "connected", "store": "failing"})
            assert (await health(runtime, "/readyz"))[0] == 503
        assert await health(runtime) == (200, {"status": "ok", "socket": "connected", "store": "ok"})
        [said] = await mention(emulator, runtime, will, "note buy milk")
        assert "Saved." in said
        assert await runtime.store.get(f"notes:{will}") == "buy milk"
    assert CANT_SAVE.startswith(":warning: Sloth can't save anything right now")
