"""Five live training runs and a trivia round of twenty players share chat.update's Tier 3
budget: no 429, and every message ends showing its latest state.

Time is compressed ten times on both sides: the emulator's Tier 3 allows 50 chat.update calls
per 6 s window (Slack: per minute) and Sloth paces 8 edits per 1.2 s (in production 8 per 12 s);
counts are Slack's, only the clock runs faster.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import aiohttp

from bot.testing import FakeClock
from sloth_emulator import Emulator, RateLimits, Workspace
from sloth_emulator.ratelimit import SLACK_TIERS
from tests.e2e.games.gameplay import drawn_payload, payload
from tests.e2e.harness import running_bot
from tests.e2e.training.training_harness import T0, cards
from tests.e2e.training.training_harness import payload as card_payload

TOKEN = "pacing-token"
RUNS, EPOCHS, PLAYERS = 5, 40, 20
WINDOW = 1.2  # Sloth's chat.update window, ten times shorter than in production


async def report(http: aiohttp.ClientSession, url: str, run: int, channel: str) -> None:
    """A fast training job: an epoch every 50 ms, as the client would send them."""
    info = {"name": f"run-{run}", "channel": channel, "owner": None, "total_epochs": EPOCHS, "config": {}}
    for seq in range(1, EPOCHS + 2):
        event: dict[str, Any] = {"type": "start", "seq": 1, "time": T0 + 1.0} if seq == 1 else {
            "type": "epoch", "seq": seq, "time": T0 + seq, "epoch": seq - 2, "metrics": {"loss": 1.0 / seq}}
        body = json.dumps({"run": info, "events": [event], "dropped": 0})
        async with http.post(f"{url}/monitor/v1/runs/pacing-run-{run:04d}/events", data=body,
                             headers={"Authorization": f"Bearer {TOKEN}"}) as answer:
            assert answer.status == 200
        await asyncio.sleep(0.05)


async def press(emu: Emulator, ts: str, action: str, user: str) -> None:
    await (await emu.click("general", ts, action, user=user)).acked()


async def test_runs_and_a_trivia_round_stay_within_the_budget(tmp_path: Path) -> None:
    ws = Workspace.generated(users=40, channels=20)
    humans = [u.id for u in ws.users.values() if u.is_human and not u.deleted][:PLAYERS]
    channels = [c.name for c in ws.channels.values() if not (c.is_private or c.is_archived)][1:RUNS + 1]
    limits = RateLimits(window=6.0, per_window=dict(SLACK_TIERS))
    async with Emulator(ws, rate_limits=limits) as emu, running_bot(
            emu, tmp_path, clock=FakeClock(), edits_per_window=8, edit_window_seconds=WINDOW,
            env={"SLOTH_MONITOR_TOKEN": TOKEN, "SLOTH_TRAINING_EDIT_SECONDS": "0.2"}) as bot:
        url = f"http://127.0.0.1:{bot.http_port}"
        await (await emu.slash_command(text="play trivia 1", user=humans[0], channel="general")).acked()
        [game] = await emu.wait_for(lambda: [m for m in emu.messages("general") if m.get("metadata")])
        async with aiohttp.ClientSession() as http:
            jobs = [asyncio.create_task(report(http, url, run, channel)) for run, channel in enumerate(channels)]
            await asyncio.gather(*(press(emu, game["ts"], "game:join", user) for user in humans[1:]))
            await bot.pool.queue.join()
            await press(emu, game["ts"], "game:start", humans[0])
            await bot.pool.queue.join()
            await asyncio.gather(*(press(emu, game["ts"], "game:answer:0", user) for user in humans))
            await asyncio.gather(*jobs)
        await bot.pool.queue.join()
        # Every card ends on its last epoch, the quiz on its result, whatever was folded or paced.
        finished = await emu.wait_for(lambda: all(
            cards(emu, c) and card_payload(cards(emu, c)[0])["epoch"] == EPOCHS for c in channels), timeout=30)
        final = payload(next(m for m in emu.messages("general") if m["ts"] == game["ts"]))
        updates = len(emu.calls_to("chat.update"))
    assert finished and final["status"] in ("won", "draw") and len(final["players"]) == PLAYERS
    assert emu.api.limiter is not None and emu.api.limiter.count("chat.update") == 0, "chat.update got a 429"
    # Far fewer edits than changes: 20 joins, a start and 20 answers, and 5 × 40 epochs.
    assert updates < (PLAYERS * 2 + 1 + RUNS * EPOCHS) / 2, updates


CARDS = 20
MOVES = 10
THINK = 0.3  # a player's pause between moves: 3 s in production time


async def report_until(http: aiohttp.ClientSession, url: str, run: int, channel: str, stop: asyncio.Event) -> int:
    """A training job reporting an epoch every 50 ms until `stop`; how many epochs it reported."""
    info = {"name": f"run-{run}", "channel": channel, "owner": None, "total_epochs": None, "config": {}}
    seq = 1
    while seq < 3 or not stop.is_set():
        event: dict[str, Any] = {"type": "start", "seq": 1, "time": T0 + 1.0} if seq == 1 else {
            "type": "epoch", "seq": seq, "time": T0 + seq, "epoch": seq - 2, "metrics": {"loss": 1.0 / seq}}
        body = json.dumps({"run": info, "events": [event], "dropped": 0})
        async with http.post(f"{url}/monitor/v1/runs/busy-run-{run:04d}/events", data=body,
                             headers={"Authorization": f"Bearer {TOKEN}"}) as answer:
            assert answer.status == 200
        seq += 1
        await asyncio.sleep(0.05)
    return seq - 2  # the card counts epochs done: the last one reported, plus one


def shown_at(emu: Emulator, ts: str, version: int) -> float | None:
    """When the emulator answered the first chat.update of game `ts` that drew `version` or later."""
    for call in emu.calls_to("chat.update"):
        if call.ok and call.args.get("ts") == ts and drawn_payload(call)["version"] >= version:
            return call.time
    return None


async def test_moves_against_sloth_wait_at_most_one_window_while_twenty_runs_report(tmp_path: Path) -> None:
    ws = Workspace.generated(users=40, channels=CARDS + 5)
    player = next(u.id for u in ws.users.values() if u.is_human and not u.deleted)
    channels = [c.name for c in ws.channels.values() if not (c.is_private or c.is_archived) and c.name != "general"]
    limits = RateLimits(window=6.0, per_window=dict(SLACK_TIERS))
    waits: list[float] = []
    async with Emulator(ws, rate_limits=limits) as emu, running_bot(
            emu, tmp_path, clock=FakeClock(), edits_per_window=8, edit_window_seconds=WINDOW,
            env={"SLOTH_MONITOR_TOKEN": TOKEN, "SLOTH_TRAINING_EDIT_SECONDS": "0.2"}) as bot:
        url = f"http://127.0.0.1:{bot.http_port}"
        stop = asyncio.Event()
        async with aiohttp.ClientSession() as http:
            jobs = [asyncio.create_task(report_until(http, url, run, channels[run], stop)) for run in range(CARDS)]
            await emu.wait_for(lambda: all(cards(emu, c) for c in channels[:CARDS]), timeout=30)
            began = time.time()
            while len(waits) < MOVES:  # games against Sloth, one after another
                await (await emu.slash_command(text="play tictactoe", user=player, channel="general")).acked()
                [game] = await emu.wait_for(lambda: [m for m in emu.messages("general") if m.get("metadata")
                                                     and payload(m)["status"] == "playing"], timeout=10)
                while (shown := payload(game))["status"] == "playing" and len(waits) < MOVES:
                    cell = next(i for i, c in enumerate(c for row in shown["board"] for c in row) if not c)
                    clicked = time.time()
                    await press(emu, game["ts"], f"game:move:{cell}", player)
                    drawn = await emu.wait_for(lambda v=shown["version"], ts=game["ts"]: shown_at(emu, ts, v + 1))
                    waits.append(drawn - clicked)
                    game = next(m for m in emu.messages("general") if m["ts"] == game["ts"])
                    await asyncio.sleep(THINK)
                await bot.pool.queue.join()
            played = time.time() - began
            general = emu.workspace.channel("general")
            assert general is not None
            card_edits = sum(1 for call in emu.calls_to("chat.update")
                             if call.ok and call.args.get("channel") != general.id and call.time >= began)
            stop.set()
            last = await asyncio.gather(*jobs)
        # Every card ends on its run's last epoch, whatever was folded or waited.
        finished = await emu.wait_for(lambda: all(card_payload(cards(emu, c)[0])["epoch"] == last[run]
                                                  for run, c in enumerate(channels[:CARDS])), timeout=30)
    assert finished and emu.api.limiter is not None and emu.api.limiter.count("chat.update") == 0
    # A move's redraw never waits past one window; most are drawn at once, however busy the cards.
    assert max(waits) <= WINDOW and statistics.median(waits) <= WINDOW / 4, waits
    # Nor were the cards frozen meanwhile: the two slots a window kept for them while they wait.
    assert card_edits >= 2 * (played // WINDOW), (card_edits, played)
