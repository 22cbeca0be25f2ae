"""The handoff to the main loop loses nothing acked: stopping right after acks still answers every
one, and past its limit of unfinished envelopes Sloth takes no more (a slash command is acked
with a "busy" answer, an event is left unacked for Slack to redeliver and is handled once there
is room), over Socket Mode and over HTTP alike. Real slack_sdk clients against the emulator."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.api import Args, Context, Invocation, Reply, Router
from bot.handling.ack_answer import BUSY
from sloth_emulator import Emulator, Workspace
from tests.e2e.harness import running_bot, settle

held = Router("held")
HELD = f"{__name__}:held"
release = asyncio.Event()


@held.command("wait", "Answer once the test lets go (awaits: the loop stays free).")
async def wait(ctx: Context, inv: Invocation, args: Args) -> Reply:
    await release.wait()
    return Reply(text="let go")


@pytest.mark.both_transports
async def test_past_the_limit_a_command_is_told_sloth_is_busy_and_an_event_waits_for_redelivery(
    tmp_path: Path, transport: str
) -> None:
    global release
    release = asyncio.Event()  # one per run: an Event belongs to the event loop of the test that made it
    async with (Emulator(Workspace.default(), redelivery_delay=0.5) as emu,
                running_bot(emu, tmp_path, features=[HELD], max_unfinished=2, transport=transport) as runtime):
        waiting = [await emu.slash_command(text="wait") for _ in range(2)]
        for delivery in waiting:
            await delivery.acked()
        turned_away = await emu.slash_command(text="help")
        ack = await turned_away.acked()
        assert ack["payload"]["text"] == BUSY
        [shown] = [p for p in emu.responses if p.url == turned_away.payload["response_url"]]
        assert shown.source == "ack" and shown.status == 200
        will = emu.workspace.first_human()
        im, _ = emu.workspace.open_im(will.id, emu.bot_user_id)
        dm = await emu.user_message(user=will.id, channel=im.id, text="help team")
        await emu.wait_for(lambda: dm.attempts >= 2, timeout=5)  # not acked (HTTP: 503): Slack sent it again
        assert not dm.is_acked
        assert runtime.metrics.refused.labels("slash_commands")._value.get() == 1
        assert runtime.metrics.refused.labels("events_api")._value.get() >= 1

        release.set()
        await dm.acked(timeout=5)  # a redelivery, taken once there was room
        await settle(runtime)
        answers = [p.body.get("text") for p in emu.responses for d in waiting if p.url == d.payload["response_url"]]
        assert answers == ["let go", "let go"]
        replies = [m for m in emu.messages(im.id) if m.get("user") == emu.bot_user_id]
        assert len(replies) == 1  # the DM answered exactly once
        assert runtime.metrics.unfinished._value.get() == 0


async def test_stopping_right_after_the_acks_still_answers_every_acked_command(
    emulator: Emulator, tmp_path: Path
) -> None:
    async with running_bot(emulator, tmp_path):
        deliveries = [await emulator.slash_command(text="help") for _ in range(20)]
        for delivery in deliveries:
            await delivery.acked()
    # Leaving the block stopped the socket thread, then drained the work it had handed over.
    urls = {p.url for p in emulator.responses}
    assert all(d.payload["response_url"] in urls for d in deliveries)
