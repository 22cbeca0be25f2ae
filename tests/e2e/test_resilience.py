"""Big workspaces under rate limits, disconnects, redeliveries, health, and fatal conditions."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from bot.runtime.lifecycle import FatalError, Runtime
from sloth_emulator import Emulator, RateLimits, Workspace
from tests.e2e.harness import ask, bot_settings, running_bot, settle, visible_text


@pytest.mark.slow
async def test_big_workspace_under_rate_limits_still_answers(tmp_path: Path) -> None:
    limits = RateLimits(window=1.0, per_window={1: 1, 2: 5, 3: 50, 4: 100})
    async with Emulator(Workspace.generated(users=20_000, channels=5_000, seed=7), rate_limits=limits) as emu:
        async with running_bot(emu, tmp_path) as runtime:
            team = visible_text(await ask(emu, runtime, "team"))
            members = sum(1 for u in emu.workspace.users.values() if not (u.is_bot or u.deleted or u.id == "USLACKBOT"))
            assert f"*Members*\\n{members:,}" in team
            listed = [c for c in emu.calls_to("users.list") if c.status == 200]
            assert len(listed) == -(-len(emu.workspace.users) // 1000)  # every page, once
            assert any(c.status == 429 for c in emu.calls_to("users.list"))  # Slack did push back
            # The second question costs no list calls at all.
            before = len(emu.calls_to("users.list"))
            assert "Will Koehrsen" in visible_text(await ask(emu, runtime, "users wjk68"))
            assert "Page 1 of" in visible_text(await ask(emu, runtime, "channels"))
            assert len(emu.calls_to("users.list")) == before
            assert not any("ratelimited" in visible_text(p.body) for p in emu.responses)


async def test_disconnect_mid_stream_loses_nothing(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path) as runtime:
        will = emulator.workspace.first_human()
        im, _ = emulator.workspace.open_im(will.id, emulator.bot_user_id)
        deliveries = []
        for i in range(30):
            if i == 10:
                await emulator.disconnect_all("refresh_requested")
            if i == 20:
                # Events sent while no connection was open wait for their redelivery; the warning
                # needs a connection to go to, so it waits for the reconnect.
                await emulator.wait_connected(1, timeout=10)
                await emulator.disconnect_all("warning")
            deliveries.append(await emulator.user_message(user=will.id, channel=im.id, text="help team"))
        for delivery in deliveries:
            await delivery.acked(timeout=15)  # redelivered after the reconnect when the socket was down
        await settle(runtime)
        replies = [m for m in emulator.messages(im.id) if m.get("user") == emulator.bot_user_id]
        assert len(replies) == 30  # each once: none lost, none doubled
        assert runtime.metrics.reconnects.labels("refresh_requested")._value.get() == 1
        assert runtime.metrics.reconnects.labels("warning")._value.get() == 1
        await emulator.wait_connected(1, timeout=10)
        assert len(emulator.calls_to("apps.connections.open")) == 3  # one per disconnect, no double reconnects


async def test_health_and_metrics(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path) as runtime, aiohttp.ClientSession() as http:
        base = f"http://127.0.0.1:{runtime.http_port}"
        await ask(emulator, runtime, "team")
        async with http.get(base + "/healthz") as response:
            assert response.status == 200
        async with http.get(base + "/metrics") as response:
            text = await response.text()
        assert 'sloth_envelopes_total{type="slash_commands"} 1.0' in text
        assert 'sloth_web_api_calls_total{method="team.info",outcome="ok"} 1.0' in text
        assert "sloth_ack_latency_seconds_bucket" in text
        await emulator.disconnect_all("link_disabled")
        assert await asyncio.wait_for(runtime.wait(), 10) == 1
        assert runtime.fatal and "link_disabled" in runtime.fatal
        async with http.get(base + "/healthz") as response:
            assert response.status == 503


async def test_link_disabled_stops_reconnecting(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path) as runtime:
        opened = len(emulator.calls_to("apps.connections.open"))
        await emulator.disconnect_all("link_disabled")
        assert await asyncio.wait_for(runtime.wait(), 10) == 1
    assert len(emulator.calls_to("apps.connections.open")) == opened


async def test_bad_tokens_are_fatal_with_a_clear_message(emulator: Emulator, tmp_path: Path) -> None:
    with pytest.raises(FatalError, match="SLACK_BOT_TOKEN"):
        async with Runtime(bot_settings(emulator, tmp_path, bot_token="xoxb-not-a-real-token")):
            pass
    with pytest.raises(FatalError, match="SLACK_APP_TOKEN"):
        async with Runtime(bot_settings(emulator, tmp_path, app_token="xapp-not-a-real-token")):
            pass
    assert emulator.connections == 0


@pytest.mark.slow
async def test_retry_after_is_honoured_in_full(tmp_path: Path) -> None:
    # A two-digit Retry-After: slack_sdk's stock handler would wait 1 s and collect more 429s.
    async with Emulator(Workspace.default(), rate_limits=RateLimits(window=10.5, per_window={3: 1})) as emu:
        async with running_bot(emu, tmp_path) as runtime:
            await ask(emu, runtime, "team")
            assert "Data Analysis" in visible_text(await ask(emu, runtime, "team"))
            calls = emu.calls_to("team.info")
            assert [c.status for c in calls] == [200, 429, 200]
            assert calls[2].time - calls[1].time >= 10.0


async def test_redelivered_event_is_handled_once_across_replicas(tmp_path: Path) -> None:
    # Two replicas share one store; an ack lost in transit makes Slack redeliver the event,
    # with retry_attempt 1, to the other connection.
    async with Emulator(Workspace.default(), redelivery_delay=0.3) as emu:
        async with (
            running_bot(emu, tmp_path, connections=1) as first,
            running_bot(emu, tmp_path, connections=2) as second,
        ):
            will = emu.workspace.first_human()
            im, _ = emu.workspace.open_im(will.id, emu.bot_user_id)
            emu.lose_acks(1)
            delivery = await emu.user_message(user=will.id, channel=im.id, text="team")
            await delivery.acked(timeout=5)
            assert delivery.attempts == 2 and delivery.envelopes[1]["retry_attempt"] == 1
            await settle(first)
            await settle(second)
            replies = [m for m in emu.messages(im.id) if m.get("user") == emu.bot_user_id]
            assert len(replies) == 1
            skipped = first.metrics.duplicates._value.get() + second.metrics.duplicates._value.get()
            assert skipped == 1


async def test_events_nobody_listens_to_are_still_acked(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path):
        delivery = await emulator.send_event({"type": "reaction_added", "user": "U1", "reaction": "tada"})
        await delivery.acked()
        assert delivery.attempts == 1


async def test_too_many_websockets_backs_off_then_reconnects(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.socket.client

    monkeypatch.setattr(bot.socket.client, "TOO_MANY_BACKOFF", 0.5)
    async with running_bot(emulator, tmp_path) as runtime:
        opened = len(emulator.calls_to("apps.connections.open"))
        started = asyncio.get_running_loop().time()
        await emulator.disconnect_all("too_many_websockets")
        await emulator.wait_for(lambda: len(emulator.calls_to("apps.connections.open")) > opened, timeout=10)
        assert asyncio.get_running_loop().time() - started >= 0.5
        await emulator.wait_connected(1, timeout=10)
        assert runtime.metrics.reconnects.labels("too_many_websockets")._value.get() == 1
        assert "Data Analysis" in visible_text(await ask(emulator, runtime, "team"))
