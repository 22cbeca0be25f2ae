"""@notify and the tqdm drop-in through Sloth: a task card with its duration and result or its
traceback, and a batch bar fed by tqdm. The real client -> Sloth -> the emulator."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from handlers.training.card import COLOURS
from sloth_emulator import Emulator
from sloth_monitor import TrainingRun, notify, tqdm
from tests.e2e.harness import visible_text
from tests.e2e.training.training_harness import TOKEN, WILL, cards, ingest_url, monitoring_bot, payload


def finished(emu: Emulator, status: str) -> list[dict]:
    return [c for c in cards(emu, "testing_exp") if payload(c)["status"] == status]


async def test_a_notify_task_gets_a_card_with_its_result_and_a_failure_its_traceback(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        url = ingest_url(runtime)

        @notify("nightly features", channel="#testing_exp", owner=WILL, url=url, token=TOKEN)
        def build(rows: int) -> str:
            return f"{rows} rows written"

        @notify("nightly export", channel="#testing_exp", owner=WILL, url=url, token=TOKEN)
        def export() -> None:
            raise FileNotFoundError("/data/prices.parquet")

        assert await asyncio.to_thread(build, 1200) == "1200 rows written"
        with pytest.raises(FileNotFoundError):
            await asyncio.to_thread(export)
        [done] = await emulator.wait_for(lambda: finished(emulator, "completed"), 15)
        [failed] = await emulator.wait_for(lambda: finished(emulator, "failed"), 15)
    assert "Result: `1200 rows written`" in visible_text(done) and "took" in visible_text(done)
    assert "epoch" not in visible_text(done)  # a task has no epochs to show
    assert failed["attachments"][0]["color"] == COLOURS["failed"]
    shown = visible_text(failed)
    assert "*FileNotFoundError*: /data/prices.parquet" in shown and "raise FileNotFoundError" in shown


def bar_job(url: str) -> TrainingRun:
    with TrainingRun("bars", channel="#testing_exp", url=url, token=TOKEN, total_epochs=2, progress_interval=0.05,
                     send_interval=0.05, system_interval=None) as run:
        for epoch in range(2):
            for _ in tqdm(range(1500), run=run, disable=True):
                run.wait_for_stop(0.002)  # a 2 ms step
            run.log_epoch(epoch, loss=0.5)
    return run


async def test_tqdm_feeds_the_cards_batch_bar(emulator: Emulator, tmp_path: Path) -> None:
    pytest.importorskip("tqdm")
    async with monitoring_bot(emulator, tmp_path) as runtime:
        await asyncio.to_thread(bar_job, ingest_url(runtime))
        await emulator.wait_for(lambda: finished(emulator, "completed"), 15)
    drawn = [c.args for c in emulator.calls_to("chat.update") if c.ok]
    assert any("/1500 of epoch" in visible_text(args) for args in drawn), "no batch bar was drawn"
