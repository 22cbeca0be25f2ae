"""The run card's Mute and Curves buttons, and the `runs` command, through the real runtime."""

from __future__ import annotations

import json
from pathlib import Path

from handlers.training.service import training
from sloth_emulator import Emulator
from tests.e2e.harness import ask, settle, visible_text
from tests.e2e.training.test_training_ingest import post_events
from tests.e2e.training.training_harness import AMELIA, PRIYA, T0, cards, monitoring_bot, payload, replies, uploads


def epoch(seq: int, number: int, val_loss: float) -> dict:
    return {"type": "epoch", "seq": seq, "time": T0 + 100.0 + seq, "epoch": number,
            "metrics": {"loss": val_loss * 0.9, "val_loss": val_loss}}


def lines(emu: Emulator, ts: str) -> list[str]:
    return [m["text"] for m in replies(emu, "testing_exp", ts) if not m.get("files")]


async def test_a_new_best_is_a_line_on_the_card_mute_says_who_and_curves_are_drawn_on_request(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        start = {"type": "start", "seq": 1, "time": T0 + 100.0}
        assert (await post_events(runtime, "run-mute-0001", [start, epoch(2, 0, 1.0), epoch(3, 1, 0.5)]))[0] == 200
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if "New best" in visible_text(c)], timeout=10)
        assert "New best *val_loss*: 0.5000 at epoch 2 (was 1.0000)" in visible_text(card)

        await (await emulator.click("testing_exp", card["ts"], "training:mute", user=PRIYA)).acked()
        await settle(runtime)
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if "Unmute" in visible_text(c)], timeout=10)
        assert "alerts muted by Priya Nair" in visible_text(card)

        assert (await post_events(runtime, "run-mute-0001", [epoch(4, 2, 0.25)]))[0] == 200
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["epoch"] == 3], timeout=10)
        assert "New best *val_loss*: 0.2500 at epoch 3 (was 0.5000) · 2 improvements" in visible_text(card)
        run = await training(runtime.ctx.of("training")).runs.get("run-mute-0001")
        assert run is not None and run.jobs == [] and run.best["val_loss"]["value"] == 0.25
        assert lines(emulator, card["ts"]) == []  # two improvements, not a message in the thread

        await (await emulator.click("testing_exp", card["ts"], "training:curves", user=AMELIA)).acked()
        files = await emulator.wait_for(lambda: uploads(emulator, "testing_exp", card["ts"]), timeout=15)
    assert list(files) == ["raw-curves.png"] and files["raw-curves.png"].startswith(b"\x89PNG")


async def test_curves_before_any_epoch_explains_itself(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        await post_events(runtime, "run-early-001", [{"type": "start", "seq": 1, "time": T0 + 1.0}])
        [card] = await emulator.wait_for(lambda: cards(emulator, "testing_exp"), timeout=10)
        assert "Curves" not in visible_text(card)  # no button yet; a stale click still gets an answer
        emulator.workspace.channel("testing_exp").messages[card["ts"]]["attachments"][0]["blocks"][-1][
            "elements"].append({"type": "button", "action_id": "training:curves", "value": "run-early-001",
                                "text": {"type": "plain_text", "text": "Curves"}})
        await (await emulator.click("testing_exp", card["ts"], "training:curves", user=AMELIA)).acked()
        await settle(runtime)
    [answer] = emulator.ephemerals(user=AMELIA)
    assert "No epoch has finished yet" in visible_text(answer)


async def test_runs_lists_active_runs_first_with_a_link_to_each_card(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        empty = await ask(emulator, runtime, "runs")
        assert "No training runs yet" in visible_text(empty) and "/monitor/v1" in visible_text(empty)
        assert "SLOTH_MONITOR_TOKEN" in visible_text(empty) and "token training" not in visible_text(empty)
        finish = {"type": "finish", "seq": 3, "time": T0 + 9.0, "status": "completed", "error": None}
        await post_events(runtime, "run-done-0001", [{"type": "start", "seq": 1, "time": T0 + 1.0},
                                                      epoch(2, 0, 1.0), finish])
        await post_events(runtime, "run-live-0001", [{"type": "start", "seq": 1, "time": T0 + 1.0}])
        found = await emulator.wait_for(lambda: len(cards(emulator, "testing_exp")) == 2
                                        and cards(emulator, "testing_exp"), timeout=10)
        answer = await ask(emulator, runtime, "runs")
        again = visible_text(await ask(emulator, runtime, "runs"))
    listing = visible_text(answer)
    assert "1 active" in listing and listing.index("running") < listing.index("completed")
    links = [e["url"] for b in answer["blocks"] if b["type"] == "table" for row in b["rows"] for c in row
             if c["type"] == "rich_text" for part in c["elements"] for e in part["elements"] if e["type"] == "link"]
    assert sorted(links) == sorted(f"https://data-analysis.slack.com/archives/C01TESTEXP/p{card['ts'].replace('.', '')}"
                                   for card in found), listing
    assert again == listing and len(emulator.calls_to("chat.getPermalink")) == 2  # links are kept


async def test_a_card_that_cannot_be_posted_is_reported_once_in_runs(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        nowhere = {"name": "lost", "channel": "#no-such-channel", "owner": None, "total_epochs": None, "config": {}}
        body = json.dumps({"run": nowhere, "events": [{"type": "start", "seq": 1, "time": T0 + 1}], "dropped": 0})
        status, _ = await post_events(runtime, "run-lost-0001", [], body=body)
        assert status == 200
        await emulator.wait_for(lambda: emulator.calls_to("chat.postMessage"), timeout=10)
        await training(runtime.ctx.of("training")).follower.finished("run-lost-0001")  # it stops after recording why
        listing = visible_text(await ask(emulator, runtime, "runs"))
        status, _ = await post_events(runtime, "run-lost-0001", [], body=body)
    assert "card not posted: channel_not_found" in listing
    assert len(emulator.calls_to("chat.postMessage")) == 1  # not retried on every report

