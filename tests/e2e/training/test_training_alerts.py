"""Protocol 2 on the card and in its thread, end to end (the real client -> Sloth -> the emulator):
the job's machine, Checkpoint now and LR × 0.5, presses and config changes, and the alerts."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from handlers.training.card import COLOURS
from handlers.training.service import training
from sloth_emulator import Emulator
from sloth_monitor import TrainingRun
from tests.e2e.harness import settle, visible_text
from tests.e2e.training.test_monitor_extras import FAKE_NVML
from tests.e2e.training.test_training_ingest import post_events
from tests.e2e.training.training_harness import (
    AMELIA,
    PRIYA,
    T0,
    TOKEN,
    WILL,
    cards,
    controlled_job,
    ingest_url,
    monitoring_bot,
    now_clock,
    replies,
)

FULL_GPU = FAKE_NVML.replace("_Memory((h + 1) * 1024**3, 80 * 1024**3)",
                             "_Memory((78 if h else 1) * 1024**3, 80 * 1024**3)")  # GPU 1 at 97.5 %


def card_now(emu: Emulator) -> dict[str, Any]:
    [card] = cards(emu, "testing_exp")
    return card


def alerts(emu: Emulator, ts: str) -> list[str]:
    return [m["text"] for m in replies(emu, "testing_exp", ts) if not m.get("files") and "New best" not in m["text"]]


async def shown(emu: Emulator, text: str) -> dict[str, Any]:
    [card] = await emu.wait_for(lambda: [c for c in cards(emu, "testing_exp") if text in visible_text(c)], 15)
    return card


async def test_the_card_shows_the_machine_and_the_buttons_reach_the_job(
        emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / "pynvml.py").write_text(FULL_GPU)
    monkeypatch.syspath_prepend(str(tmp_path / "fake"))
    monkeypatch.delitem(sys.modules, "pynvml", raising=False)
    async with monitoring_bot(emulator, tmp_path) as runtime:
        job = asyncio.create_task(asyncio.to_thread(controlled_job, ingest_url(runtime), folder=tmp_path,
                                                    system_interval=2.0, watch="val_loss", patience=3))
        card = await shown(emulator, "GPU 1 Fake H100")
        text = visible_text(card)
        assert "PID" in text and "git `" in text and "GPU 0 Fake A100: 37 %" in text
        assert "Checkpoint now" in text and "LR × 0.5" in text

        await (await emulator.click("testing_exp", card["ts"], "training:checkpoint", user=AMELIA)).acked()
        await settle(runtime)
        [refusal] = emulator.ephemerals(user=AMELIA)
        assert "Only its owner (Will Koehrsen) or one of Sloth's admins can ask" in visible_text(refusal)
        await (await emulator.click("testing_exp", card["ts"], "training:checkpoint", user=WILL)).acked()
        card = await shown(emulator, "Checkpoints: latest")
        await (await emulator.click("testing_exp", card["ts"], "training:lr", user=PRIYA)).acked()
        card = await shown(emulator, "Config changed: `lr=0.05`")
        await (await emulator.click("testing_exp", card["ts"], "training:stop", user=WILL)).acked()
        run = await asyncio.wait_for(job, 20)
        card = await emulator.wait_for(lambda: "stopped by" in visible_text(card_now(emulator)) and card_now(emulator))
        thread = await emulator.wait_for(
            lambda: len(alerts(emulator, card["ts"])) >= 2 and alerts(emulator, card["ts"]))
    assert run.should_stop and (tmp_path / "ckpt-0.pt").exists() and not (tmp_path / "ckpt-1.pt").exists()
    text = visible_text(card)
    assert re.search(r"Checkpoint now\* by Will Koehrsen .* done: saved .*ckpt-0\.pt", text), text
    assert re.search(r"LR × 0.5\* by Priya Nair .* done: learning rate × 0.5", text), text
    assert "(LR × 0.5 by Priya Nair)" in text and "Stop* by Will Koehrsen" in text
    assert "lr=0.05" in text  # the config itself changed too
    gpu = [a for a in thread if "memory" in a]
    plateau = [a for a in thread if "No improvement" in a]
    assert len(gpu) == 1 and f"<@{WILL}>" in gpu[0] and "GPU 1 (Fake H100) memory is at 98 %" in gpu[0]
    assert len(plateau) == 1 and "No improvement in *val_loss* for 3 epochs" in plateau[0]


def diverging(url: str, mute_first: bool = False) -> TrainingRun:
    run = TrainingRun("diverges", channel="#testing_exp", owner=WILL, url=url, token=TOKEN, total_epochs=5,
                      send_interval=0.05, progress_interval=0.0, system_interval=None)
    with run:
        for epoch in range(5):
            for batch in range(6):
                loss = float("nan") if (epoch, batch) >= (2, 3) else 1.0 / (batch + 1)
                run.log_batch(epoch, batch, 6, loss=loss)
            run.log_epoch(epoch, loss=float("nan") if epoch >= 2 else 0.5, val_loss=0.6)
    return run


async def test_a_nan_loss_turns_the_card_red_and_says_so_once_in_the_thread(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        await asyncio.to_thread(diverging, ingest_url(runtime))
        card = await emulator.wait_for(lambda: "completed" in visible_text(card_now(emulator)) and card_now(emulator),
                                       15)
        said = await emulator.wait_for(lambda: alerts(emulator, card["ts"]), 15)
        await settle(runtime)
    assert card["attachments"][0]["color"] == COLOURS["failed"]
    assert "diverged at epoch 3, step 4" in visible_text(card) and "NaN" in visible_text(card)
    assert said == [f"🔥 <@{WILL}> *diverges*: *loss* is nan: diverged at epoch 3, step 4."]


async def test_mute_silences_the_alerts_but_never_a_nan_loss(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        start = {"type": "start", "seq": 1, "time": T0 + 100.0}
        body = {"run": {"name": "muted", "channel": "#testing_exp", "owner": WILL, "total_epochs": 3, "config": {},
                        "instance": "muted-job-instance-1", "patience": 1}, "protocol": 2}
        assert (await post_events(runtime, "run-mute-0002", [], body=json.dumps({**body, "events": [start]})))[0] == 200
        [card] = await emulator.wait_for(lambda: cards(emulator, "testing_exp"), 10)
        await (await emulator.click("testing_exp", card["ts"], "training:mute", user=WILL)).acked()
        await shown(emulator, "Unmute")
        flat = [{"type": "epoch", "seq": n + 2, "time": T0 + 101.0 + n, "epoch": n, "metrics": {"val_loss": 1.0}}
                for n in range(2)]  # no improvement for `patience` epochs: an alert Mute silences
        nan = {"type": "epoch", "seq": 4, "time": T0 + 103.0, "epoch": 2, "metrics": {"loss": "nan"}}
        assert (await post_events(runtime, "run-mute-0002", [], body=json.dumps({**body, "events": flat})))[0] == 200
        assert (await post_events(runtime, "run-mute-0002", [], body=json.dumps({**body, "events": [nan]})))[0] == 200
        card = await shown(emulator, "diverged at epoch 3")
        said = await emulator.wait_for(lambda: alerts(emulator, card["ts"]), 10)
        await settle(runtime)
        run = await training(runtime.ctx.of("training")).runs.get("run-mute-0002")
    assert run is not None and run.alerted == ["diverged"]  # the plateau was never said, not even later
    assert said == [f"🔥 <@{WILL}> *muted*: *loss* is nan: diverged at epoch 3."]
    assert "alerts muted by Will Koehrsen (a failure or a NaN loss still pings the owner)" in visible_text(card)


async def test_a_job_silent_past_the_stale_limit_gets_one_alert(emulator: Emulator, tmp_path: Path) -> None:
    clock = now_clock()
    async with monitoring_bot(emulator, tmp_path, clock=clock) as runtime:
        body = {"run": {"name": "quiet", "channel": "#testing_exp", "owner": WILL, "total_epochs": 3, "config": {}},
                "events": [{"type": "start", "seq": 1, "time": T0 + 1.0}]}
        assert (await post_events(runtime, "quiet-run-0002", [], body=json.dumps(body)))[0] == 200
        [card] = await emulator.wait_for(lambda: cards(emulator, "testing_exp"), timeout=10)
        for _ in range(2):  # stale twice: said once
            clock.advance(6 * 60)
            await runtime.scheduler.tick()
            await emulator.wait_for(lambda: "stale" in visible_text(card_now(emulator)), 10)
            assert (await post_events(runtime, "quiet-run-0002", [], body=json.dumps({**body, "events": []})))[0] == 200
            await emulator.wait_for(lambda: "stale" not in visible_text(card_now(emulator)), 10)
        said = await emulator.wait_for(lambda: alerts(emulator, card["ts"]), 10)
    assert len(said) == 1 and said[0].startswith(f"⏸️ <@{WILL}> *quiet*: The job has not reported for 5 minutes")
