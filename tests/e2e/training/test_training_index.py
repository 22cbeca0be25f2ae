"""No run is lost from the run index: not to a burst of new runs, not to a count cap, and an
expired run leaves it only through the sweeper. Real HTTP requests to ingest, `runs` through Slack."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp

from bot.api import Namespaced
from bot.store import open_store
from handlers.training.run_index import RunIndex
from handlers.training.service import training
from sloth_emulator import Emulator
from tests.e2e.harness import ask, run_jobs, visible_text
from tests.e2e.training.training_harness import TOKEN, ingest_url, monitoring_bot, now_clock

BURST = 1000
QUIET = {"SLOTH_TRAINING_SWEEP_SECONDS": "3600"}  # the sweeper reads every run: not during the burst


async def start_run(http: aiohttp.ClientSession, url: str, run_id: str) -> tuple[int, Any]:
    info = {"name": run_id, "channel": "#testing_exp", "owner": None, "total_epochs": 3, "config": {},
            "instance": f"job-of-{run_id}"}
    body = json.dumps({"protocol": 2, "run": info, "events": [{"type": "start", "seq": 1, "time": time.time()}]})
    async with http.post(f"{url}/monitor/v1/runs/{run_id}/events", data=body,
                         headers={"Authorization": f"Bearer {TOKEN}"}) as answer:
        return answer.status, await answer.text()


async def test_a_thousand_runs_started_at_once_all_get_200_and_all_are_listed(
        emulator: Emulator, tmp_path: Path) -> None:
    ids = [f"burst-run-{i:05d}" for i in range(BURST)]
    async with monitoring_bot(emulator, tmp_path, env=QUIET) as runtime:
        # Every request is sent at once, over as many connections as one client address may hold
        # (SLOTH_HTTP_MAX_PER_CLIENT, 64): Sloth's HTTP side answers more from one address with 503.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=60)) as http:
            began = time.monotonic()
            answers = await asyncio.gather(*(start_run(http, ingest_url(runtime), run_id) for run_id in ids))
            took = time.monotonic() - began
        indexed = await training(runtime.ctx.of("training")).runs.recent()
        listing = await ask(emulator, runtime, "runs")
    failed = [(run_id, answer) for run_id, answer in zip(ids, answers, strict=True) if answer[0] != 200]
    assert failed == [], failed[:5]
    assert sorted(indexed) == ids and len(indexed) == BURST
    assert f"{BURST} training runs, {BURST} active" in listing["text"], listing["text"]
    assert took < 60, took  # a few seconds when the machine is not busy


async def test_runs_leave_the_index_only_when_they_have_expired(emulator: Emulator, tmp_path: Path) -> None:
    clock = now_clock()
    async with monitoring_bot(emulator, tmp_path, clock=clock) as runtime:
        runs = training(runtime.ctx.of("training")).runs
        async with aiohttp.ClientSession() as http:
            for i in range(250):  # more than the 200 the index used to keep
                assert (await start_run(http, ingest_url(runtime), f"kept-run-{i:05d}"))[0] == 200
        gone = "kept-run-00000"
        await runs.keys.delete(f"run:{gone}")  # as the store does when a run's 30 days are over
        before = await runs.recent()
        clock.advance(1)
        await run_jobs(runtime)  # the sweeper
        after = await runs.recent()
        listing = visible_text(await ask(emulator, runtime, "runs"))
    assert len(before) == 250 and gone in before
    assert len(after) == 249 and gone not in after
    assert "249 training runs" in listing


async def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    """Two Sloth processes' indexes on one store: their group commits race by compare-and-set."""
    store = await open_store(f"sqlite:///{tmp_path / 'shared.db'}")
    try:
        first, second = RunIndex(Namespaced(store, "training")), RunIndex(Namespaced(store, "training"))
        ids = [f"shared-run-{i:04d}" for i in range(600)]
        await asyncio.gather(*((first if i % 2 else second).add(run_id) for i, run_id in enumerate(ids)))
        await asyncio.gather(first.remove(set(ids[:100])), second.add("late-run-0001"))
        kept = await first.ids()
    finally:
        await store.close()
    assert sorted(kept) == sorted([*ids[100:], "late-run-0001"])
