"""Every run gets exactly one card: under Slack's posting limits, after a passing fault, and when
an earlier attempt may have posted it already.

Time is compressed twenty times on both sides: the emulator keeps Slack's published limits
(`RateLimits.realistic()`: one message a second per channel, bursts of 4, the tiers per minute)
on a clock twenty times faster, and Sloth posts at most 20 messages a second per channel (in
production 1). Counts are Slack's, only the clock runs faster.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from pathlib import Path

import aiohttp

from handlers.training.service import training
from handlers.training.state import Run
from sloth_emulator import Emulator, RateLimits, Workspace
from tests.e2e.harness import visible_text
from tests.e2e.training.test_training_ingest import post_events
from tests.e2e.training.training_harness import TOKEN, cards, ingest_url, monitoring_bot, payload

SPEED = 20
SWEEP = 150


async def start_run(http: aiohttp.ClientSession, url: str, run_id: str) -> int:
    info = {"name": run_id, "channel": "#testing_exp", "owner": None, "total_epochs": 3, "config": {}}
    body = json.dumps({"run": info, "events": [{"type": "start", "seq": 1, "time": time.time()}], "dropped": 0})
    async with http.post(f"{url}/monitor/v1/runs/{run_id}/events", data=body,
                         headers={"Authorization": f"Bearer {TOKEN}"}) as answer:
        return answer.status


async def test_a_sweep_of_150_runs_into_one_channel_gets_exactly_one_card_each(tmp_path: Path) -> None:
    ids = [f"sweep-run-{i:05d}" for i in range(SWEEP)]
    limits = RateLimits.realistic().faster(SPEED)
    async with Emulator(Workspace.default(), rate_limits=limits) as emu, monitoring_bot(
            emu, tmp_path, env={"SLOTH_TRAINING_POSTS_PER_SECOND": str(SPEED)}) as runtime:
        # At most as many connections as one client address may hold (SLOTH_HTTP_MAX_PER_CLIENT, 64).
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=60)) as http:
            began = time.monotonic()
            statuses = await asyncio.gather(*(start_run(http, ingest_url(runtime), run_id) for run_id in ids))
        # Slack's pace is one card a second per channel: 150 cards take 150 s, here 150 / SPEED.
        await emu.wait_for(lambda: len(cards(emu, "testing_exp")) >= SWEEP, timeout=SWEEP / SPEED * 4 + 10)
        took = time.monotonic() - began
        runs = training(runtime.ctx.of("training")).runs
        stored = [await runs.get(run_id) for run_id in ids]
    posted = Counter(payload(card)["run_id"] for card in cards(emu, "testing_exp"))
    assert statuses == [200] * SWEEP
    assert posted == Counter(ids), [run_id for run_id, n in posted.items() if n != 1]
    assert all(run is not None and run.card_ts and run.card_error is None for run in stored)
    assert took >= (SWEEP - 4) / SPEED * 0.9, took  # paced (at most a burst ahead), not luck


def run_body(run_id: str, name: str) -> str:
    info = {"name": name, "channel": "#testing_exp", "owner": None, "total_epochs": 3, "config": {}}
    return json.dumps({"run": info, "events": [{"type": "start", "seq": 1, "time": time.time()}], "dropped": 0})


async def test_a_card_refused_for_a_passing_fault_is_posted_later(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path, env={"SLOTH_TRAINING_EDIT_SECONDS": "0.1"}) as runtime:
        emulator.fail_next("chat.postMessage", "ratelimited")  # as after the client's own retries ran out
        emulator.fail_next("chat.postMessage", "internal_error")
        assert (await post_events(runtime, "unlucky-run-1", [], body=run_body("unlucky-run-1", "unlucky")))[0] == 200
        [card] = await emulator.wait_for(lambda: cards(emulator, "testing_exp"), timeout=30)
        epoch = {"type": "epoch", "seq": 2, "time": time.time(), "epoch": 0, "metrics": {"loss": 0.5}}
        assert (await post_events(runtime, "unlucky-run-1", [epoch]))[0] == 200
        await emulator.wait_for(lambda: payload(cards(emulator, "testing_exp")[0])["epoch"] == 1, timeout=10)
        run = await training(runtime.ctx.of("training")).runs.get("unlucky-run-1")
    assert run is not None and run.card_error is None and run.card_ts == card["ts"] and run.card_posting is None
    attempts = emulator.calls_to("chat.postMessage")
    assert [c.error for c in attempts] == ["ratelimited", "internal_error", None]
    # internal_error may hide a posted message: the channel was looked at before posting again.
    assert emulator.calls_to("conversations.history")


async def test_a_card_marked_as_being_posted_by_a_dead_process_is_found_and_adopted_not_posted_again(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        service = training(runtime.ctx.of("training"))
        assert (await post_events(runtime, "adopted-run-1", [], body=run_body("adopted-run-1", "first")))[0] == 200
        [card] = await emulator.wait_for(lambda: cards(emulator, "testing_exp"), timeout=10)

        def forget_the_ts(r: Run) -> None:  # as if the process died right after chat.postMessage
            r.card_ts = r.card_channel = None
            r.card_posting = {"by": "a-process-that-died", "at": time.time()}
            r.name = "renamed while nobody followed it"
            r.version += 1

        await service.runs.change("adopted-run-1", forget_the_ts)
        service.follower.touch("adopted-run-1")
        await emulator.wait_for(lambda: "renamed" in visible_text(cards(emulator, "testing_exp")[0]), timeout=10)
        run = await service.runs.get("adopted-run-1")
    assert len(cards(emulator, "testing_exp")) == 1 and len(emulator.calls_to("chat.postMessage")) == 1
    assert run is not None and run.card_ts == card["ts"] and run.card_posting is None
