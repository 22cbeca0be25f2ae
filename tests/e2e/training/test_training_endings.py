"""How a run ends, as the channel sees it: a preempted job says so and pings its owner, and the same
job restarted continues the same card (no other job can); Ctrl-C is "stopped with Ctrl-C"; a long
run that completes pings its owner once; a @notify task can be neither stopped nor called stopped.

Real jobs (processes of their own where they must be signalled) -> Sloth -> the emulator."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from handlers.training.card import COLOURS
from handlers.training.service import training
from sloth_emulator import Emulator
from sloth_monitor import TrainingRun, notify
from tests.e2e.harness import settle, visible_text
from tests.e2e.training.test_training_ingest import post_events
from tests.e2e.training.training_harness import (
    AMELIA,
    ROOT,
    TOKEN,
    WILL,
    cards,
    ingest_url,
    monitoring_bot,
    payload,
    replies,
)

RUN_ID = "resnet-preempt-01"
# A job that starts at the epoch it is given (0, or the one its checkpoint holds) and goes on
# until `last`, or until it is killed.
JOB = """
import sys, time
from sloth_monitor import TrainingRun
first, last = int(sys.argv[3]), int(sys.argv[4])
with TrainingRun("resnet", channel="#testing_exp", owner=sys.argv[2], total_epochs=6, run_id="{run_id}",
                 resume_file=sys.argv[1], send_interval=0.05, poll_interval=0.2, system_interval=None) as run:
    run.log_checkpoint(f"/ckpt/epoch-{{first}}.pt")
    for epoch in range(first, last):
        time.sleep(0.1)
        run.log_epoch(epoch, loss=1.0 / (epoch + 1), val_loss=1.0 / (epoch + 1))
"""


async def job(runtime: Any, resume: Path, first: int, last: int) -> asyncio.subprocess.Process:
    environ = {**os.environ, "SLOTH_URL": ingest_url(runtime), "SLOTH_MONITOR_TOKEN": TOKEN,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", textwrap.dedent(JOB.format(run_id=RUN_ID)), str(resume), WILL, str(first), str(last),
        env=environ, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


def card_now(emu: Emulator) -> dict[str, Any]:
    [card] = cards(emu, "testing_exp")
    return card


def claim(instance: str, owner: str = WILL, resume: str | None = None) -> str:
    info: dict[str, Any] = {"name": "resnet", "channel": "#testing_exp", "owner": owner, "total_epochs": 6,
                            "config": {}, "instance": instance, "resume": resume}
    epoch = {"type": "epoch", "seq": 1, "time": time.time(), "epoch": 0, "metrics": {"loss": 99.0}}
    return json.dumps({"protocol": 3, "run": info, "events": [epoch], "dropped": 0})


async def test_a_preempted_job_says_so_and_its_restart_continues_the_same_card(
        emulator: Emulator, tmp_path: Path) -> None:
    resume = tmp_path / "checkpoints" / "sloth-run.json"
    async with monitoring_bot(emulator, tmp_path) as runtime:
        first = await job(runtime, resume, 0, 10_000)
        await emulator.wait_for(lambda: cards(emulator, "testing_exp") and payload(card_now(emulator))["epoch"] >= 3,
                                30)
        first.send_signal(signal.SIGTERM)
        await asyncio.wait_for(first.wait(), 15)
        preempted = await emulator.wait_for(lambda: payload(card_now(emulator))["status"] == "preempted"
                                            and card_now(emulator), 15)
        [ping] = await emulator.wait_for(
            lambda: [m for m in replies(emulator, "testing_exp", preempted["ts"]) if f"<@{WILL}>" in m["text"]], 15)

        # Nobody else may take the run over: not without the token, not with a wrong one, not as another owner.
        token = json.loads(resume.read_text())["token"]
        refused = [await post_events(runtime, RUN_ID, [], body=claim("another-job-instance1")),
                   await post_events(runtime, RUN_ID, [], body=claim("another-job-instance2", resume="0" * 32)),
                   await post_events(runtime, RUN_ID, [], body=claim("another-job-instance3", AMELIA, token))]
        untouched = await training(runtime.ctx.of("training")).runs.get(RUN_ID)

        second = await job(runtime, resume, 2, 6)  # restarted from the checkpoint of epoch 3
        output, _ = await asyncio.wait_for(second.communicate(), 30)
        done = await emulator.wait_for(lambda: payload(card_now(emulator))["status"] == "completed"
                                       and card_now(emulator), 15)
        await settle(runtime)
        run = await training(runtime.ctx.of("training")).runs.get(RUN_ID)
    assert first.returncode == -signal.SIGTERM  # the job died of SIGTERM, as it would have without the monitor
    assert preempted["attachments"][0]["color"] == COLOURS["preempted"]
    assert "*preempted* (the job got SIGTERM) during epoch" in visible_text(preempted)
    assert "latest `/ckpt/epoch-0.pt`" in visible_text(preempted)
    assert ping["text"].startswith(f"⏸️ <@{WILL}> *resnet* was preempted after ")
    assert "Last checkpoint: `/ckpt/epoch-0.pt`" in ping["text"]

    for status, answer in refused:
        assert status == 409 and f"run id {RUN_ID} is already used by another job" in answer["error"], answer
    assert untouched is not None and untouched.status == "preempted" and 99.0 not in [
        h["metrics"]["loss"] for h in untouched.history]

    assert second.returncode == 0, output
    assert len(cards(emulator, "testing_exp")) == 1 and done["ts"] == preempted["ts"]  # the same card, edited
    assert run is not None and [h["epoch"] for h in run.history] == list(range(6))
    assert payload(done)["epoch"] == 6 and "↻ resumed at epoch 3 after it was preempted" in visible_text(done)
    assert [h["metrics"]["loss"] for h in run.history][2:] == [1.0 / 3, 1.0 / 4, 1.0 / 5, 1.0 / 6]
    assert not resume.exists()  # completed: the next start is a new run


def interrupted(url: str) -> None:
    try:
        with TrainingRun("interrupted", channel="#testing_exp", owner=WILL, url=url, token=TOKEN, total_epochs=9,
                         system_interval=None) as run:
            run.log_epoch(0, loss=1.0)
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass


async def test_ctrl_c_is_stopped_with_ctrl_c_not_failed_and_pings_nobody(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        await asyncio.to_thread(interrupted, ingest_url(runtime))
        card = await emulator.wait_for(lambda: cards(emulator, "testing_exp") and payload(card_now(emulator))[
            "status"] == "stopped" and card_now(emulator), 15)
        await settle(runtime)
    assert card["attachments"][0]["color"] == COLOURS["stopped"]
    assert "stopped with Ctrl-C at the job during epoch 2" in visible_text(card)
    assert not [m for m in replies(emulator, "testing_exp", card["ts"]) if "<@" in m["text"]]


def long_enough(url: str) -> None:
    with TrainingRun("overnight", channel="#testing_exp", owner=WILL, url=url, token=TOKEN, total_epochs=2,
                     system_interval=None, ping_after=0) as run:  # pretend it ran for hours
        for epoch in range(2):
            run.log_epoch(epoch, loss=0.5 / (epoch + 1), val_loss=0.6 / (epoch + 1), lr=0.001)


async def test_a_run_that_completes_after_ping_after_mentions_its_owner_once(emulator: Emulator,
                                                                           tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        await asyncio.to_thread(long_enough, ingest_url(runtime))
        card = await emulator.wait_for(lambda: cards(emulator, "testing_exp") and payload(card_now(emulator))[
            "status"] == "completed" and card_now(emulator), 15)
        await emulator.wait_for(lambda: replies(emulator, "testing_exp", card["ts"]), 15)
        await settle(runtime)
    pings = [m["text"] for m in replies(emulator, "testing_exp", card["ts"]) if f"<@{WILL}>" in m["text"]]
    assert len(pings) == 1 and pings[0].startswith(f"✅ <@{WILL}> *overnight* completed in ")
    assert "at epoch 2/2." in pings[0] and "val_loss 0.3000" in pings[0] and "lr" not in pings[0]


async def test_a_notify_task_has_no_stop_button_and_a_forged_stop_is_refused(emulator: Emulator,
                                                                             tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        url = ingest_url(runtime)
        started = asyncio.Event()
        loop = asyncio.get_running_loop()

        @notify("export", channel="#testing_exp", owner=WILL, url=url, token=TOKEN)
        def export() -> str:
            loop.call_soon_threadsafe(started.set)
            time.sleep(1.5)
            return "done"

        task = asyncio.create_task(asyncio.to_thread(export))
        await started.wait()
        training_run = TrainingRun("other", channel="#testing_exp", owner=WILL, url=url, token=TOKEN,
                                   system_interval=None)
        training_run.start()
        found = await emulator.wait_for(lambda: len(found := cards(emulator, "testing_exp")) == 2 and found, 10)
        task_card = next(c for c in found if "export" in visible_text(c))
        other = next(c for c in found if c is not task_card)
        await (await emulator.click("testing_exp", other["ts"], "training:stop", user=WILL,
                                    value=payload(task_card)["run_id"])).acked()
        await settle(runtime)
        refusal = [visible_text(e) for e in emulator.ephemerals(user=WILL)]
        assert await task == "done"
        training_run.finish()
        done = await emulator.wait_for(lambda: [c for c in cards(emulator, "testing_exp")
                                                if payload(c)["status"] == "completed" and "export" in visible_text(c)],
                                       10)
    assert "training:stop" not in json.dumps(task_card) and "Mute" in visible_text(task_card)
    assert len(refusal) == 1 and "cannot be stopped from Slack" in refusal[0]
    assert "completed" in visible_text(done[0]) and "stopped" not in visible_text(done[0])
