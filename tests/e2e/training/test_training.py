"""Training runs end to end: the real sloth_monitor client -> Sloth's HTTP side -> the emulator."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from handlers.training.card import COLOURS, STALE_COLOUR
from sloth_emulator import Emulator
from tests.e2e.harness import settle, visible_text
from tests.e2e.training.training_harness import (
    AMELIA,
    PRIYA,
    T0,
    WILL,
    cards,
    edit_budget,
    edits,
    ingest_url,
    monitoring_bot,
    now_clock,
    payload,
    replies,
    train,
    uploads,
)

PNG = b"\x89PNG\r\n\x1a\n"


async def test_a_run_gets_one_card_edited_in_place_and_pictures_in_its_thread(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        began = time.monotonic()
        run = await asyncio.to_thread(train, ingest_url(runtime), "#testing_exp", epochs=5, batches=8)
        assert run.finished and not run.should_stop
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["status"] == "completed"], timeout=15)
        files = await emulator.wait_for(
            lambda: (found := uploads(emulator, "testing_exp", card["ts"])) and len(found) == 2 and found, 20)
        duration = time.monotonic() - began

    assert len(cards(emulator, "testing_exp")) == 1
    assert len(emulator.calls_to("chat.postMessage")) == 1 + len(
        [m for m in replies(emulator, "testing_exp", card["ts"]) if not m.get("files")])
    assert 0 < edits(emulator, card["ts"]) <= edit_budget(duration), (edits(emulator, card["ts"]), duration)
    assert payload(card) == {"run_id": run.run_id, "status": "completed", "epoch": 5, "total_epochs": 5,
                             "metrics": pytest.approx({"loss": 0.2, "val_loss": 0.24, "accuracy": 0.9,
                                                       "val_accuracy": 0.85})}
    shown = visible_text(card)
    assert "digits-cnn" in shown and "Will Koehrsen" in shown and "epoch *5/5*" in shown
    assert "lr=0.001" in shown and "Curves" in shown and "Stop" not in shown
    assert card["attachments"][0]["color"] == COLOURS["completed"]
    assert set(files) == {"digits-cnn-curves.png", "digits-cnn-predictions.png"}
    assert all(data.startswith(PNG) and len(data) > 2000 for data in files.values())
    # val_loss improves at every epoch but the third (0.7 after 0.6): the card says so, the thread
    # stays quiet (a new best is no message), and a run this short pings nobody when it completes.
    assert "New best *val_loss*: 0.2400 at epoch 5 (was 0.3000) · 3 improvements" in shown
    assert [m["text"] for m in replies(emulator, "testing_exp", card["ts"]) if not m.get("files")] == []


async def test_stop_from_the_owner_reaches_the_job_and_from_anyone_else_does_not(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        job = asyncio.create_task(asyncio.to_thread(
            train, ingest_url(runtime), "#testing_exp", epochs=200, batches=5, step=0.02))
        [card] = await emulator.wait_for(lambda: cards(emulator, "testing_exp"), timeout=10)

        await (await emulator.click("testing_exp", card["ts"], "training:stop", user=AMELIA)).acked()
        await settle(runtime)
        [refusal] = emulator.ephemerals(user=AMELIA)
        assert "Only its owner (Will Koehrsen) or one of Sloth's admins can stop" in visible_text(refusal)
        epoch_then = payload(cards(emulator, "testing_exp")[0])["epoch"]
        await emulator.wait_for(lambda: payload(cards(emulator, "testing_exp")[0])["epoch"] >= epoch_then + 2, 10)
        assert not job.done()

        await (await emulator.click("testing_exp", card["ts"], "training:stop", user=WILL)).acked()
        run = await asyncio.wait_for(job, 15)
        assert run.should_stop and run.stopped_by == "Will Koehrsen"
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["status"] == "stopped"], timeout=10)
    stopped_at = payload(card)["epoch"]
    assert 0 < stopped_at < 200
    pressed = re.search(r"stopped by Will Koehrsen during epoch (\d+)", visible_text(card))
    assert pressed and int(pressed.group(1)) - 1 <= payload(card)["epoch"]  # epochs done when pressed
    assert card["attachments"][0]["color"] == COLOURS["stopped"]
    # The press is answered, not left "sent": the job said it saw it.
    assert re.search(r"\*Stop\* by Will Koehrsen .* · done: the job saw it", visible_text(card))


async def test_an_admin_may_stop_a_run_that_is_not_theirs(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        job = asyncio.create_task(asyncio.to_thread(
            train, ingest_url(runtime), "#testing_exp", epochs=200, batches=5, step=0.02))
        [card] = await emulator.wait_for(lambda: cards(emulator, "testing_exp"), timeout=10)
        await (await emulator.click("testing_exp", card["ts"], "training:stop", user=PRIYA)).acked()
        run = await asyncio.wait_for(job, 15)
    assert run.should_stop and run.stopped_by == "Priya Nair"


async def test_a_failed_run_turns_the_card_red_and_mentions_its_owner_once(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        try:
            await asyncio.to_thread(train, ingest_url(runtime), "#testing_exp", epochs=5, fail_at=2)
        except ValueError as e:
            assert "loss is nan" in str(e)  # the job sees its own exception, re-raised
        else:
            raise AssertionError("the training loop should have raised")
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["status"] == "failed"], timeout=10)
        [ping] = await emulator.wait_for(
            lambda: [m for m in replies(emulator, "testing_exp", card["ts"]) if f"<@{WILL}>" in m["text"]], 10)
        await emulator.wait_for(lambda: uploads(emulator, "testing_exp", card["ts"]), 20)  # the curves: all done
        await settle(runtime)
    assert card["attachments"][0]["color"] == COLOURS["failed"]
    shown = visible_text(card)
    assert "*ValueError*: loss is nan at epoch 2" in shown and "epoch *2/5*" in shown
    # The owner hears of it once, in the card's thread (an edit notifies nobody), with the final figures.
    mentions = [m for m in emulator.messages("testing_exp") if f"<@{WILL}>" in m.get("text", "")]
    assert mentions == [ping] and ping["thread_ts"] == card["ts"]
    assert ping["text"].startswith(f"❌ <@{WILL}> *digits-cnn* failed after ") and "at epoch 2/5" in ping["text"]
    assert "*ValueError*: loss is nan at epoch 2" in ping["text"]
    figures = ping["text"].splitlines()[1].split(" · ")
    assert figures[0] == "val_loss 0.6000"  # the watched metric first
    assert sorted(figures[1:]) == ["accuracy 0.6000", "loss 0.5000", "val_accuracy 0.5500"]


async def test_a_run_that_stops_reporting_is_shown_stale_until_it_reports_again(
        emulator: Emulator, tmp_path: Path) -> None:
    clock = now_clock()
    async with monitoring_bot(emulator, tmp_path, clock=clock) as runtime:
        from tests.e2e.training.test_training_ingest import post_events  # one raw client for the protocol

        status, _ = await post_events(runtime, "quiet-run-0001", [{"type": "start", "seq": 1, "time": T0 + 1.0}])
        assert status == 200
        [card] = await emulator.wait_for(lambda: cards(emulator, "testing_exp"), timeout=10)
        assert card["attachments"][0]["color"] == COLOURS["running"]

        clock.advance(5 * 60 + 1)  # past SLOTH_TRAINING_STALE_MINUTES
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if c["attachments"][0]["color"] == STALE_COLOUR], 10)
        assert "No report since" in visible_text(card) and "stale" in visible_text(card)

        status, _ = await post_events(runtime, "quiet-run-0001", [])  # a heartbeat
        assert status == 200
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if c["attachments"][0]["color"] == COLOURS["running"]],
            timeout=10)
        assert "No report since" not in visible_text(card)
