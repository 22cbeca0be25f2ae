"""`runs compare` and the filters of `runs`, through the real runtime and the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sloth_emulator import Emulator
from tests.e2e.harness import answers, ask, settle, table_rows, visible_text
from tests.e2e.training.test_training_ingest import post_events
from tests.e2e.training.training_harness import AMELIA, T0, WILL, cards, monitoring_bot

PNG = b"\x89PNG\r\n\x1a\n"


async def report(runtime: Any, run_id: str, name: str, owner: str, lr: float, finish: str | None,
                 losses: list[float]) -> None:
    events: list[dict[str, Any]] = [{"type": "start", "seq": 1, "time": T0 + 1.0}]
    for epoch, loss in enumerate(losses):
        events.append({"type": "epoch", "seq": epoch + 2, "time": T0 + 2.0 + epoch, "epoch": epoch,
                       "metrics": {"loss": loss, "val_loss": loss * 1.1, ("accuracy" if owner == WILL else "f1"): 0.5}})
    if lr == 1e-3 and finish:  # LR × 0.5 during the run: its config says 0.0005, yet it started with 0.001
        events.append({"type": "config", "seq": len(events) + 1, "time": T0 + 40.0, "changes": {"lr": lr / 2},
                       "control": None})
    if finish:
        events.append({"type": "finish", "seq": len(events) + 1, "time": T0 + 50.0, "status": finish, "error": None})
    run = {"name": name, "channel": "#testing_exp", "owner": owner, "total_epochs": len(losses),
           "config": {"lr": lr, "layers": 4}}
    status, _ = await post_events(runtime, run_id, [], body=json.dumps({"run": run, "events": events}))
    assert status == 200


async def three_runs(emulator: Emulator, runtime: Any) -> None:
    await report(runtime, "run-aaaaaa01", "bert-base", WILL, 1e-3, "completed", [1.0, 0.6, 0.4])
    await report(runtime, "run-bbbbbb02", "bert-large", WILL, 5e-4, "failed", [1.0, 0.7])
    await report(runtime, "run-cccccc03", "gpt-small", AMELIA, 1e-3, None, [2.0])
    await emulator.wait_for(lambda: len(cards(emulator, "testing_exp")) == 3, timeout=10)


async def test_runs_compare_posts_the_overlay_and_the_config_diff_in_the_asking_thread(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        await three_runs(emulator, runtime)
        asked = await emulator.user_message(
            user=WILL, channel="testing_exp", text=f"<@{emulator.bot_user_id}> runs compare run-aaaaaa bert-large")
        await asked.acked()
        await settle(runtime)
        ts = asked.payload["event"]["ts"]
        [shared] = await emulator.wait_for(
            lambda: [m for m in emulator.messages("testing_exp") if m.get("thread_ts") == ts and m.get("files")], 15)
    record = emulator.workspace.files[shared["files"][0]["id"]]
    assert record.name == "bert-base-vs-bert-large.png" and (record.content or b"").startswith(PNG)
    comment = shared["text"]
    assert all(f"`{metric}`" in comment for metric in ("loss", "val_loss", "accuracy"))
    assert "Settings they started with, where they differ:" in comment
    assert "lr: 0.001 → 0.0005" in comment and "layers" not in comment


async def test_runs_compare_explains_what_it_needs(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        await three_runs(emulator, runtime)
        unknown = visible_text(await ask(emulator, runtime, "runs compare bert-base nope"))
        alone = visible_text(await ask(emulator, runtime, "runs compare bert-base"))
    assert "No training run is called or has the id `nope`" in unknown
    assert "Usage: `runs compare <run> <run>`" in alone


async def test_runs_filters_by_owner_and_status(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        await three_runs(emulator, runtime)
        mine = visible_text(await ask(emulator, runtime, "runs mine", user=WILL))
        failed = visible_text(await ask(emulator, runtime, f"runs <@{WILL}> failed", user=AMELIA))
        running = visible_text(await ask(emulator, runtime, "runs running"))
        nothing = visible_text(await ask(emulator, runtime, "runs mine stopped", user=AMELIA))
        wrong = visible_text(await ask(emulator, runtime, "runs fastest"))
    assert "bert-base" in mine and "bert-large" in mine and "gpt-small" not in mine
    assert "owned by Will Koehrsen" in mine
    assert "bert-large" in failed and "bert-base" not in failed and "gpt-small" not in failed
    assert "gpt-small" in running and "bert" not in running
    assert "No training run owned by Amelia" in nothing
    assert "`fastest` is not a filter" in wrong


async def test_runs_and_the_config_diff_are_tables_and_lines_where_tables_are_refused(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        await three_runs(emulator, runtime)
        listing = table_rows(await ask(emulator, runtime, "runs mine", user=WILL))
        compared = await ask(emulator, runtime, "runs compare run-aaaaaa bert-large", user=WILL)
        emulator.refuse_block_types({"table"})
        refused, classic = await answers(emulator, runtime, "runs mine", user=WILL)
    assert listing[0] == ["Run", "Status", "Epoch", "Owner", "Started"]
    rows = {row[0]: row for row in listing[1:]}
    assert rows["✅ bert-base"][1:4] == ["completed", "3/3", "Will Koehrsen"]
    assert rows["❌ bert-large"][1:4] == ["failed", "2/2", "Will Koehrsen"]
    assert compared["text"].startswith("Compared *bert-base* and *bert-large*")
    assert table_rows(compared) == [["Config", "bert-base (run-aa)", "bert-large (run-bb)"], ["lr", "0.001", "0.0005"]]
    assert refused.error == "invalid_blocks" and classic.error is None
    lines = "\n".join(b["text"]["text"] for b in classic.body["blocks"] if b["type"] == "section").split("\n")
    assert "*Run* · *Status* · *Epoch* · *Owner* · *Started*" in lines
    assert any(line.startswith("<") and "|✅ bert-base> · completed · 3/3 · Will Koehrsen · " in line
               for line in lines)
