"""Socket Mode connections that die quietly, and old connections Slack keeps open after asking
Sloth to move: the real slack_sdk client against the emulator, over real sockets."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator, Workspace
from sloth_emulator.delivery import Delivery
from sloth_emulator.socket import Connection, NoConnectionError
from tests.e2e.harness import running_bot, settle

# Slack waits 3 s for an ack; a dead connection should be replaced well before a member notices.
REPLACED_WITHIN = 2.0


def bot_replies(emu: Emulator, channel: str) -> list[str]:
    return [str(m.get("text")) for m in emu.messages(channel) if m.get("user") == emu.bot_user_id]


async def replacement(emu: Emulator, old: Connection) -> Connection:
    """The first connection opened after `old` (its hello is sent as it is registered)."""
    return await emu.wait_for(lambda: next((c for c in emu.hub.connections if c.id > old.id), None), timeout=10)


def answered(emu: Emulator, deliveries: list[Delivery]) -> int:
    urls = {p.url for p in emu.responses}
    return sum(1 for d in deliveries if d.payload["response_url"] in urls)


async def test_a_silent_connection_is_replaced_within_two_seconds_and_no_event_is_lost(tmp_path: Path) -> None:
    async with Emulator(Workspace.default(), redelivery_delay=1.0) as emu, running_bot(emu, tmp_path) as runtime:
        will = emu.workspace.first_human()
        im, _ = emu.workspace.open_im(will.id, emu.bot_user_id)
        old = emu.hub.connections[0]
        # Read by Sloth, but the connection dies before its ack gets through: Slack redelivers it.
        read = await emu.user_message(user=will.id, channel=im.id, text="help team")
        silenced_at = time.time()
        emu.silence_connection(old.id)
        # Written into the dead connection: Sloth never sees this one until it is redelivered.
        unread = await emu.user_message(user=will.id, channel=im.id, text="help dnd")
        new = await replacement(emu, old)
        assert new.opened_at - silenced_at < REPLACED_WITHIN
        await read.acked(timeout=10)
        await unread.acked(timeout=10)
        assert read.attempts >= 2 and unread.attempts >= 2
        await settle(runtime)
        replies = bot_replies(emu, im.id)
        assert len(replies) == 2  # each event handled exactly once
        assert runtime.metrics.duplicates._value.get() == 1  # the redelivery of the one already read
        assert runtime.metrics.reconnects.labels("silent")._value.get() == 1
        await emu.wait_for(lambda: emu.connections == 1)  # Sloth closed the dead one
        assert await runtime.connected()


async def test_a_dropped_connection_is_replaced_at_once(emulator: Emulator, bot: Runtime) -> None:
    old = emulator.hub.connections[0]
    dropped_at = time.time()
    emulator.drop_connection(old.id)
    new = await replacement(emulator, old)
    assert new.opened_at - dropped_at < REPLACED_WITHIN
    assert bot.metrics.reconnects.labels("dropped")._value.get() == 1
    delivery = await emulator.slash_command(text="help")
    await delivery.acked()
    assert len(emulator.calls_to("apps.connections.open")) == 2


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
async def test_the_old_connection_is_read_and_acked_until_slack_closes_it(
    emulator: Emulator, bot: Runtime, reason: str
) -> None:
    old = emulator.hub.connections[0]
    await emulator.disconnect(old.id, reason, close_after=3.0)
    right_after = await emulator.slash_command(text="help", connection_id=old.id)
    new = await replacement(emulator, old)
    # Slack may still deliver on the old connection for a while after the new one said hello.
    late = await emulator.slash_command(text="help team", connection_id=old.id)
    assert not new.retiring
    await right_after.acked()
    await late.acked()
    await settle(bot)
    assert answered(emulator, [right_after, late]) == 2
    assert bot.metrics.retiring_envelopes._value.get() >= 1
    await emulator.wait_for(lambda: all(c.id != old.id for c in emulator.hub.connections), timeout=10)
    assert emulator.connections == 1 and await bot.connected()
    assert len(emulator.calls_to("apps.connections.open")) == 2  # one per disconnect


async def test_an_old_connection_slack_never_closes_is_closed_after_the_bound(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.socket.client

    monkeypatch.setattr(bot.socket.client, "RETIRE_SECONDS", 0.5)
    async with running_bot(emulator, tmp_path) as runtime:
        old = emulator.hub.connections[0]
        await emulator.disconnect(old.id, "warning", close_after=60.0)
        await replacement(emulator, old)
        await emulator.wait_for(lambda: all(c.id != old.id for c in emulator.hub.connections), timeout=5)
        assert emulator.connections == 1 and await runtime.connected()


async def test_a_stream_of_commands_through_ten_disruptions_loses_none(emulator: Emulator, bot: Runtime) -> None:
    rate, count, every = 150.0, 600, 60
    deliveries: list[Delivery] = []
    failed = 0
    started = time.perf_counter()
    for i in range(count):
        # Open loop, as Slack sends: each command leaves at its time whatever the bot is doing.
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
        if i % every == every // 2:
            reason = "refresh_requested" if (i // every) % 2 == 0 else "warning"
            await emulator.disconnect_all(reason, close_after=1.0)
        try:
            deliveries.append(await emulator.slash_command(text="help"))
        except NoConnectionError:
            failed += 1  # Slack would show the member "dispatch_failed"
    acks = await asyncio.gather(*(d.acked(timeout=5) for d in deliveries), return_exceptions=True)
    unacked = sum(1 for a in acks if isinstance(a, BaseException))
    await settle(bot)
    assert (failed, unacked) == (0, 0)
    assert answered(emulator, deliveries) == count
    assert bot.metrics.retiring_envelopes._value.get() > 0  # the stream did reach old connections
    # One connection to start and one per disruption: the last reconnect may still be on its way.
    await emulator.wait_for(lambda: len(emulator.calls_to("apps.connections.open")) >= 11)
    assert len(emulator.calls_to("apps.connections.open")) == 11


async def test_a_failed_reconnect_is_tried_again(emulator: Emulator, bot: Runtime) -> None:
    old = emulator.hub.connections[0]
    emulator.fail_next("apps.connections.open", "internal_error")
    emulator.drop_connection(old.id)
    await replacement(emulator, old)
    assert [c.response["ok"] for c in emulator.calls_to("apps.connections.open")] == [True, False, True]
    delivery = await emulator.slash_command(text="help")
    await delivery.acked()
