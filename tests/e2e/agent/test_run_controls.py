"""`run stop|checkpoint|lr <run>`: the run card's buttons as a command (and so as a tool), answered by the
buttons' own handlers: the owner and admins only, and a run the member cannot see is not found."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.agent.tools import run_tool, tools_for
from handlers.training.service import training
from sloth_emulator import Emulator
from tests.e2e.training.training_harness import AMELIA, WILL, cards, ingest_url, monitoring_bot, train


async def test_the_owner_stops_a_run_by_name_and_a_member_who_is_neither_owner_nor_admin_cannot(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        assert next(t for t in tools_for(runtime.registry, admin=False) if t.name == "run").changes
        job = asyncio.create_task(asyncio.to_thread(
            train, ingest_url(runtime), "#testing_exp", epochs=200, batches=5, step=0.02))
        await emulator.wait_for(lambda: cards(emulator, "testing_exp"), timeout=10)
        [run_id] = await training(runtime.ctx.of("training")).runs.recent()

        refused = await run_tool(runtime.ctx, "run", {"action": "stop", "run": run_id}, member=AMELIA, channel=None)
        assert "Only its owner (Will Koehrsen) or one of Sloth's admins can stop" in refused.text
        assert not job.done()

        stopped = await run_tool(runtime.ctx, "run", {"action": "stop", "run": run_id[:8]}, member=WILL,
                                 channel=None)
        assert stopped.ok and stopped.text.startswith("Asked ") and "to stop" in stopped.text, stopped.text
        run = await asyncio.wait_for(job, 15)
    assert run.should_stop and run.stopped_by == "Will Koehrsen"


async def test_a_run_nobody_names_rightly_is_not_found(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        result = await run_tool(runtime.ctx, "run", {"action": "lr", "run": "no-such-run"}, member=WILL, channel=None)
    assert result.text == "No training run is called or has the id `no-such-run`. `runs` lists them."
