"""A run is its job's: no other request can write into it, and only its owner or an admin can mute it.

The real client reports, a second job posts raw requests, members press the real card's buttons."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

from handlers.training.service import training
from sloth_emulator import Emulator
from sloth_monitor import TrainingRun
from tests.e2e.harness import settle, visible_text
from tests.e2e.training.test_training_ingest import post_events
from tests.e2e.training.training_harness import (
    AMELIA,
    PRIYA,
    TOKEN,
    WILL,
    cards,
    ingest_url,
    monitoring_bot,
    payload,
    replies,
)

RUN_ID = "owned-run-0001"


def patient_job(url: str, go: threading.Event) -> TrainingRun:
    """One epoch, then wait for `go`, then two more: the real client, with an instance of its own."""
    run = TrainingRun("owned", channel="#testing_exp", owner=WILL, url=url, token=TOKEN, run_id=RUN_ID,
                      total_epochs=3, send_interval=0.05, system_interval=None, flush_timeout=10)
    with run:
        run.log_epoch(0, loss=1.0, val_loss=1.0)
        assert go.wait(30)
        for epoch in (1, 2):
            run.log_epoch(epoch, loss=1.0 / (epoch + 1), val_loss=1.0 / (epoch + 1))
    return run


def second_job(instance: str | None, protocol: int = 1) -> str:
    """The hijack: the same run id, a finish that would fail the run and a seq far ahead."""
    info = {"name": "owned", "channel": "#testing_exp", "owner": AMELIA, "total_epochs": 3, "config": {}}
    if instance is not None:
        info["instance"] = instance
    finish = {"type": "finish", "seq": 10**6, "time": time.time(), "status": "failed",
              "error": {"type": "Hijacked", "message": "x"}}
    return json.dumps({"protocol": protocol, "run": info, "events": [finish], "dropped": 0})


async def test_a_second_job_is_refused_whatever_instance_it_gives_and_the_real_job_goes_on(
        emulator: Emulator, tmp_path: Path) -> None:
    go = threading.Event()
    async with monitoring_bot(emulator, tmp_path) as runtime:
        job = asyncio.create_task(asyncio.to_thread(patient_job, ingest_url(runtime), go))
        await emulator.wait_for(lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["epoch"] == 1], 15)
        runs = training(runtime.ctx.of("training")).runs
        before = await runs.get(RUN_ID)
        refused = [await post_events(runtime, RUN_ID, [], body=second_job(None)),
                   await post_events(runtime, RUN_ID, [], body=second_job("another-instance-01", protocol=2))]
        without = await post_events(runtime, RUN_ID, [], body=second_job(None, protocol=2))
        after = await runs.get(RUN_ID)
        go.set()
        run = await asyncio.wait_for(job, 30)
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["status"] == "completed"], 15)
    assert before is not None and after is not None
    for status, answer in refused:
        assert status == 409 and f"run id {RUN_ID} is already used by another job" in answer["error"], answer
    assert without[0] == 400 and "run.instance is required in protocol 2" in without[1]["error"]
    # Nothing of the run changed but the notice; the real job's later reports were all applied.
    assert (after.status, after.last_seq, after.history, after.owner, after.error) == (
        before.status, before.last_seq, before.history, before.owner, before.error)
    assert after.notices and all("was refused" in text for text in after.notices)
    assert run.finish() is True and payload(card)["epoch"] == 3 and "was refused" in visible_text(card)


async def press(emulator: Emulator, ts: str, user: str, value: str | None = None) -> None:
    await (await emulator.click("testing_exp", ts, "training:mute", user=user, value=value)).acked()


async def test_only_the_owner_or_an_admin_may_mute_and_the_card_says_who_did(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        start = {"type": "start", "seq": 1, "time": time.time()}
        owned = {"name": "owned", "channel": "#testing_exp", "owner": WILL, "total_epochs": 3, "config": {}}
        theirs = {**owned, "name": "amelias", "owner": AMELIA}
        for run_id, info in (("will-run-0001", owned), ("amelia-run-01", theirs)):
            body = json.dumps({"run": info, "events": [start], "dropped": 0})
            assert (await post_events(runtime, run_id, [], body=body))[0] == 200
        found = await emulator.wait_for(lambda: len(found := cards(emulator, "testing_exp")) == 2 and found)
        card = next(c for c in found if payload(c)["run_id"] == "will-run-0001")
        mine = next(c for c in found if payload(c)["run_id"] == "amelia-run-01")
        runs = training(runtime.ctx.of("training")).runs

        await press(emulator, card["ts"], AMELIA)  # not hers
        await press(emulator, mine["ts"], AMELIA, value="will-run-0001")  # a forged value on her own card
        await press(emulator, mine["ts"], AMELIA, value="no-such-run-1")
        await settle(runtime)
        untouched = await runs.get("will-run-0001")
        refusals = [visible_text(e) for e in emulator.ephemerals(user=AMELIA)]

        await press(emulator, card["ts"], WILL)
        muted = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if "muted by Will Koehrsen" in visible_text(c)], 10)
        await press(emulator, card["ts"], PRIYA)  # an admin may unmute it
        await emulator.wait_for(lambda: [c for c in cards(emulator, "testing_exp")
                                         if payload(c)["run_id"] == "will-run-0001" and "muted" not in visible_text(c)])
        unmuted = await runs.get("will-run-0001")
    assert untouched is not None and not untouched.muted
    refused = "Only its owner (Will Koehrsen) or one of Sloth's admins can mute or unmute *owned*."
    assert len(refusals) == 3 and sum(refused in text for text in refusals) == 2, refusals
    assert sum("no longer keeps this training run" in text for text in refusals) == 1
    assert "Unmute" in visible_text(muted[0])
    assert unmuted is not None and not unmuted.muted and unmuted.muted_by is None
    assert replies(emulator, "testing_exp", card["ts"]) == []  # refusals are ephemeral: the thread stays quiet
