"""A run stored before its values were checked (an event time in nanoseconds, 1.8e18) still gets
its card, and `runs` still answers every member, listing it beside the others."""

from __future__ import annotations

import time
from pathlib import Path

from handlers.training.service import training
from handlers.training.state import Run
from sloth_emulator import Emulator
from tests.e2e.harness import ask, visible_text
from tests.e2e.training.test_training_ingest import post_events
from tests.e2e.training.training_harness import AMELIA, WILL, cards, monitoring_bot, payload

NANOSECONDS = 1.8e18  # time.time_ns() where time.time() was meant


async def test_a_run_with_an_impossible_time_gets_its_card_and_runs_still_answers(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        service = training(runtime.ctx.of("training"))
        damaged = Run(run_id="damaged-run-01", name="nanoseconds", channel="#testing_exp", owner=WILL,
                      total_epochs=3, config={}, created=time.time(), seen=time.time(), started_at=NANOSECONDS,
                      last_event_at=NANOSECONDS, epochs_done=1, last_seq=2,
                      history=[{"epoch": 0, "metrics": {"loss": 0.5}, "time": NANOSECONDS}])
        assert await service.runs.create(damaged)
        await service.runs.index.add(damaged.run_id)
        service.follower.touch(damaged.run_id)
        healthy = [{"type": "start", "seq": 1, "time": time.time()}]
        assert (await post_events(runtime, "healthy-run-1", healthy))[0] == 200
        found = await emulator.wait_for(lambda: len(found := cards(emulator, "testing_exp")) == 2 and found)
        listing = visible_text(await ask(emulator, runtime, "runs", user=AMELIA))
    assert {payload(card)["run_id"] for card in found} == {"damaged-run-01", "healthy-run-1"}
    shown = next(card for card in found if payload(card)["run_id"] == "damaged-run-01")
    assert "Started at an unknown time" in visible_text(shown)
    assert "2 training runs, 2 active" in listing and "nanoseconds" in listing
    assert "at an unknown time" in listing  # in the Started column
