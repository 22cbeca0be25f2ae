"""What a job gets wrong reaches its owner: a warning once in the job's log, and the card or
`runs` says it. The job is never interrupted. The real client -> Sloth -> the emulator."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from sloth_emulator import Emulator
from sloth_monitor import TrainingRun
from tests.e2e.harness import ask, visible_text
from tests.e2e.training.training_harness import TOKEN, cards, ingest_url, monitoring_bot, payload


def sloppy_job(url: str) -> TrainingRun:
    run = TrainingRun("sloppy", channel="#testing_exp", owner="U0NOBODY1", url=url, token=TOKEN, total_epochs=3,
                      send_interval=0.05, system_interval=None)
    with run:
        for epoch in range(3):
            run.log_epoch(epoch, loss=0.5, accuracy="high", **{f"m{i}": float(i) for i in range(200)})
        run.log_predictions([[[0.0]]] * 4, [1, 2, 3], [1, 2, 3, 4])
    return run


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name.startswith("sloth_monitor") and r.levelno >= logging.WARNING]


async def test_bad_input_is_shown_on_the_card_and_in_runs_and_warned_once(
        emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        run = await asyncio.to_thread(sloppy_job, ingest_url(runtime))
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["status"] == "completed"
                     and "not a member" in visible_text(c)], timeout=15)
        listing = visible_text(await ask(emulator, runtime, "runs"))
    assert run.finished and payload(card)["epoch"] == 3  # nothing stopped the job
    text = visible_text(card)
    for said in ("3 metric values were not numbers", "metric values were left out: more than 50 metric names",
                 "1 predictions calls had images and labels of different lengths",
                 "owner U0NOBODY1 is not a member of this workspace"):
        assert said in text and said in listing, said
    logged = warnings(caplog)
    assert len(logged) == 4, logged  # one per kind: not numbers, too many names, mismatch, the notice
    assert any("owner U0NOBODY1 is not a member" in m for m in logged)


async def test_a_run_id_reused_by_another_job_is_refused_and_shown(
        emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    def job(epochs: int) -> TrainingRun:
        run = TrainingRun("shared-id", channel="#testing_exp", url=ingest_url(runtime), token=TOKEN,
                          run_id="experiment-42", send_interval=0.05, system_interval=None, flush_timeout=3)
        with run:
            for epoch in range(epochs):
                run.log_epoch(epoch, loss=1.0)
        return run

    async with monitoring_bot(emulator, tmp_path) as runtime:
        first = await asyncio.to_thread(job, 2)
        second = await asyncio.to_thread(job, 5)
        card = await emulator.wait_for(lambda: [c for c in cards(emulator, "testing_exp")
                                                if "run id already used by another job" in visible_text(c)], 15)
    assert first.finish() is True and second.finish() is False
    assert payload(card[0])["epoch"] == 2  # the second job changed nothing
    [refused] = [m for m in warnings(caplog) if "409" in m]
    assert "run id experiment-42 is already used by another job" in refused


async def test_an_unknown_channel_is_said_in_the_jobs_log_and_in_runs(
        emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    def job() -> TrainingRun:
        run = TrainingRun("lost", channel="#no-such-channel", url=ingest_url(runtime), token=TOKEN,
                          send_interval=0.05, poll_interval=0.1, system_interval=None)
        with run:
            run.log_epoch(0, loss=1.0)
            while not any("cannot post the card" in m for m in warnings(caplog)):
                run.wait_for_stop(0.05)  # a step of training, until Sloth's notice came back
        return run

    async with monitoring_bot(emulator, tmp_path) as runtime:
        await asyncio.wait_for(asyncio.to_thread(job), 30)
        listing = visible_text(await ask(emulator, runtime, "runs"))
    assert "card not posted: channel_not_found" in listing
    [notice] = [m for m in warnings(caplog) if "cannot post the card" in m]
    assert "Sloth cannot post the card in #no-such-channel: channel_not_found" in notice
