"""PyTorch Lightning and Hugging Face runs end to end: a real framework on the CPU with a tiny model
(examples/train_lightning.py, examples/train_transformers.py) -> Sloth -> the emulator.

Needs the [integrations] extra (`./scripts/test` installs it); skipped only when a framework
cannot be imported.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bot.emulator import Emulator
from handlers.training.card import COLOURS
from tests.e2e.harness import visible_text
from tests.e2e.training.training_harness import WILL, cards, finish_job, monitoring_bot, payload, start_job, uploads

PNG = b"\x89PNG\r\n\x1a\n"
JOBS = {"lightning": ("train_lightning.py", ("lightning", "torch", "sklearn"), "--root"),
        "transformers": ("train_transformers.py", ("transformers", "accelerate", "torch"), "--output")}
pytestmark = pytest.mark.integrations


def job(kind: str) -> tuple[str, str]:
    script, modules, folder = JOBS[kind]
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"needs the [integrations] extra ({', '.join(missing)} missing)")
    return script, folder


def completed(emu: Emulator) -> list[dict]:
    return [c for c in cards(emu, "testing_exp") if payload(c)["status"] == "completed"]


async def test_a_lightning_run_gets_one_card_with_epochs_batches_curves_and_predictions(
        emulator: Emulator, tmp_path: Path) -> None:
    script, folder = job("lightning")
    async with monitoring_bot(emulator, tmp_path) as runtime:
        process = await start_job(runtime, script, "--epochs", "4", folder, str(tmp_path / "out"))
        output = await finish_job(process)
        assert process.returncode == 0, output[-3000:]
        [card] = await emulator.wait_for(lambda: completed(emulator), timeout=20)
        files = await emulator.wait_for(
            lambda: (found := uploads(emulator, "testing_exp", card["ts"])) and len(found) == 2 and found, 30)
    assert len(cards(emulator, "testing_exp")) == 1
    assert payload(card)["epoch"] == payload(card)["total_epochs"] == 4
    assert {"loss", "val_loss", "val_accuracy"} <= set(payload(card)["metrics"])
    assert payload(card)["metrics"]["val_accuracy"] > 0.5
    assert set(files) == {"digits-lightning-curves.png", "digits-lightning-predictions.png"}
    assert all(data.startswith(PNG) for data in files.values())
    edits = [c.args for c in emulator.calls_to("chat.update") if c.ok]
    assert any("batch" in visible_text(args) for args in edits), "the batch bar was never drawn"


async def test_a_transformers_run_gets_one_card_with_eval_metrics_and_curves(
        emulator: Emulator, tmp_path: Path) -> None:
    script, folder = job("transformers")
    async with monitoring_bot(emulator, tmp_path) as runtime:
        process = await start_job(runtime, script, "--epochs", "3", folder, str(tmp_path / "out"))
        output = await finish_job(process)
        assert process.returncode == 0, output[-3000:]
        [card] = await emulator.wait_for(lambda: completed(emulator), timeout=20)
        files = await emulator.wait_for(lambda: uploads(emulator, "testing_exp", card["ts"]), 30)
    assert len(cards(emulator, "testing_exp")) == 1
    assert payload(card)["epoch"] == payload(card)["total_epochs"] == 3
    assert {"loss", "val_loss", "val_accuracy"} <= set(payload(card)["metrics"])
    assert list(files) == ["bert-tiny-curves.png"] and files["bert-tiny-curves.png"].startswith(PNG)


@pytest.mark.parametrize("kind", list(JOBS))
async def test_stop_on_the_card_ends_the_framework_run(emulator: Emulator, tmp_path: Path, kind: str) -> None:
    script, folder = job(kind)
    async with monitoring_bot(emulator, tmp_path) as runtime:
        process = await start_job(runtime, script, "--epochs", "300", folder, str(tmp_path / "out"))
        try:
            [card] = await emulator.wait_for(
                lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["epoch"] >= 1], timeout=90)
            await (await emulator.click("testing_exp", card["ts"], "training:stop", user=WILL)).acked()
        finally:
            output = await finish_job(process, within=90)
        assert process.returncode == 0 and "(stopped from Slack)" in output, output[-3000:]
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["status"] == "stopped"], timeout=20)
    assert 1 <= payload(card)["epoch"] < 300
    assert "stopped by Will Koehrsen" in visible_text(card)
    assert card["attachments"][0]["color"] == COLOURS["stopped"]
