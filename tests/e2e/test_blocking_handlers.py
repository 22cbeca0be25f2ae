"""A feature's handler that blocks the event loop: everyone else is still acked at once (the
socket has a thread of its own), the handler is named in the log and counted in /metrics, and a
plain `def` handler runs in a thread instead. Real slack_sdk clients against the emulator."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.api import Args, Click, Context, Invocation, Reply, Router, actions, button, section
from bot.runtime.lifecycle import Runtime
from bot.testing import Sloth, bot_settings, grant_manifest_scopes, registry_for
from sloth_emulator import Emulator
from sloth_emulator.delivery import Delivery
from sloth_emulator.threaded import EmulatorThread
from tests.e2e.harness import ask, running_bot, visible_text

NAP = 3.0  # as long as Slack waits for an ack
sleepy = Router("sleepy")
SLEEPY = f"{__name__}:sleepy"


@sleepy.command("nap", "Hold the event loop for 3 s, as a feature must never do.")
async def nap(ctx: Context, inv: Invocation, args: Args) -> Reply:
    time.sleep(NAP)  # noqa: ASYNC251 - the mistake under test
    return Reply(text="awake")


@sleepy.command("doze", "Hold the event loop for 0.3 s.")
async def doze(ctx: Context, inv: Invocation, args: Args) -> Reply:
    time.sleep(0.3)  # noqa: ASYNC251 - the mistake under test
    return Reply(text="dozed")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def commands_during_a_nap(emu: Emulator, napper: str, others: list[str], rate: float,
                                seconds: float) -> tuple[float, Delivery, list[tuple[float, Delivery]]]:
    """On the emulator's loop: `/sloth nap` from `napper`, then `/sloth help` open loop from the
    others for `seconds`, as Slack sends them whatever the bot does; every ack awaited. Returns
    when the nap was sent, its delivery and each help's with when it was sent (time.time)."""
    nap_sent = time.time()
    napping = await emu.slash_command(text="nap", user=napper)
    started = time.perf_counter()
    sent: list[tuple[float, Delivery]] = []
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
        sent.append((time.time(), await emu.slash_command(text="help", user=others[i % len(others)])))
    await asyncio.gather(napping.acked(), *(d.acked() for _, d in sent), return_exceptions=True)
    return nap_sent, napping, sent


def answered_at(emu: Emulator, delivery: Delivery) -> float | None:
    url = delivery.payload["response_url"]
    return next((p.time for p in emu.responses if p.url == url), None)


async def test_other_members_are_acked_within_50_ms_while_a_handler_blocks_the_loop(tmp_path: Path) -> None:
    async with EmulatorThread() as slack:
        emu = slack.emu
        registry = registry_for([SLEEPY])
        await slack.call(grant_manifest_scopes, emu, registry)
        async with Runtime(bot_settings(emu, tmp_path), registry) as runtime:
            await slack.run(emu.wait_connected(1, timeout=10))
            humans = [u.id for u in emu.workspace.users.values() if not u.is_bot and u.id != "USLACKBOT"]
            napper, others = humans[0], humans[1:]
            nap_sent, napping, sent = await slack.run(commands_during_a_nap(emu, napper, others, rate=50, seconds=NAP))
            helps = [d for _, d in sent]
            everyone = len(helps) + 1
            await slack.run(emu.wait_for(
                lambda: sum(answered_at(emu, d) is not None for d in [napping, *helps]) == everyone, timeout=30))
            blocked = runtime.metrics.loop_blocked.labels("sleepy", "command nap")._value.get()

    latencies = [d.ack_latency * 1000 for d in helps if d.ack_latency is not None]
    assert napping.is_acked and len(latencies) == len(helps) == 150  # none lost
    assert percentile(latencies, 0.99) <= 50, sorted(latencies)[-5:]
    assert blocked == 1
    # The loop was held: what came in during the nap was answered only after it, yet acked at once.
    during = [d for t, d in sent if nap_sent + 0.5 < t < nap_sent + NAP - 0.5]
    assert len(during) > 50 and all((answered_at(emu, d) or 0) >= nap_sent + NAP for d in during)


async def test_a_blocking_handler_is_logged_once_with_its_feature_and_command_and_counted(
    emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.runtime.loop_watch")
    async with (running_bot(emulator, tmp_path, features=[SLEEPY], loop_block_seconds=0.1) as runtime,
                aiohttp.ClientSession() as http):
        for _ in range(2):
            assert "dozed" in visible_text(await ask(emulator, runtime, "doze"))
            await runtime.loop_watch.caught_up()
        async with http.get(f"http://127.0.0.1:{runtime.http_port}/metrics") as response:
            metrics = await response.text()
    named = [r.getMessage() for r in caplog.records if "sleepy" in r.getMessage()]
    assert len(named) == 1, named
    assert "The sleepy feature's command doze held the event loop for 0." in named[0]
    assert 'sloth_loop_blocked_total{feature="sleepy",what="command doze"} 2.0' in metrics
    seconds = re.search(r'sloth_loop_blocked_seconds_total\{feature="sleepy",what="command doze"} (\S+)', metrics)
    assert seconds is not None and 0.5 <= float(seconds.group(1)) < 2.0
    assert [(b.feature, b.what) for b in runtime.loop_watch.blocked] == [("sleepy", "command doze")] * 2


# -- plain `def` handlers ---------------------------------------------------------------------

plain = Router("plain")
PLAIN = f"{__name__}:plain"


def where() -> str:
    return "the event loop" if threading.current_thread() is threading.main_thread() else "a thread"


@plain.command("hello", "Answer from a thread, with a button.")
def hello(ctx: Context, inv: Invocation, args: Args) -> Reply:
    time.sleep(0.3)  # harmless here: nobody else waits for this thread
    name = ctx.sync(ctx.client.users_info(user=inv.user))["user"]["real_name"]
    text = f"Hello {name}, from {where()}"
    return Reply(text=text, blocks=[section(text), actions(button("Again", "plain:again", "1"))])


@plain.action("plain")
def again(ctx: Context, click: Click) -> Reply:
    ctx.sync(ctx.store.set("pressed", click.user))
    return Reply(text=f"Again, from {where()}")


@plain.every(3600, name="post")
def post(ctx: Context) -> None:
    ctx.sync(ctx.client.chat_postMessage(channel="#general", text=f"Hourly, from {where()}"))


@plain.event("message")
def heard(ctx: Context, event: dict[str, Any]) -> None:
    ctx.sync(ctx.store.set("heard", f"{event.get('text')} in {where()}"))


@pytest.mark.sloth(features=[PLAIN], builtins=False, loop_block_seconds=0.1)
async def test_plain_def_handlers_run_in_a_thread_for_a_command_a_button_a_job_and_an_event(
    sloth: Sloth, slack: Emulator
) -> None:
    answer = await sloth.command("hello", user="U01AMHART1")
    assert answer.text == "Hello Amelia Hart, from a thread"
    again = await sloth.click(answer, "plain:again")
    assert again.text == "Again, from a thread"
    assert await sloth.context("plain").store.get("pressed") == "U01AMHART1"
    await sloth.advance(3600)
    assert [m["text"] for m in slack.messages("general") if m.get("user") == slack.bot_user_id] == \
        ["Hourly, from a thread"]
    await sloth.mention("hi")
    assert await sloth.context("plain").store.get("heard") == f"<@{slack.bot_user_id}> hi in a thread"
    assert sloth.blocked == []  # the 0.3 s sleep held a thread, not the loop
