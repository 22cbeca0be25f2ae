"""PyTorch Lightning and Hugging Face runs end to end: a real framework on the CPU with a tiny model
(examples/train_lightning.py, examples/train_transformers.py) -> Sloth -> the emulator.

Needs the [integrations] extra (`./scripts/test` installs it); skipped only when a framework
cannot be imported.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import signal
from pathlib import Path

import pytest

from handlers.training.card import COLOURS
from sloth_emulator import Emulator
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


async def shown(emu: Emulator, text: str) -> dict:
    [card] = await emu.wait_for(lambda: [c for c in cards(emu, "testing_exp") if text in visible_text(c)], 90)
    return card


@pytest.mark.parametrize("kind", [*JOBS, "keras"])
async def test_checkpoint_now_and_lr_halving_reach_the_framework(emulator: Emulator, tmp_path: Path,
                                                                 kind: str) -> None:
    script, folder = job(kind) if kind != "keras" else keras_job()
    out = tmp_path / "out"
    async with monitoring_bot(emulator, tmp_path) as runtime:
        process = await start_job(runtime, script, "--epochs", "300", *([folder, str(out)] if folder else []),
                                  **({"SLOTH_CHECKPOINT_DIR": str(out)} if kind == "keras" else {}))
        try:
            card = await shown(emulator, "Checkpoint now")
            await emulator.wait_for(lambda: payload(cards(emulator, "testing_exp")[0])["epoch"] >= 1, 90)
            await (await emulator.click("testing_exp", card["ts"], "training:checkpoint", user=WILL)).acked()
            card = await shown(emulator, "done: saved")
            await (await emulator.click("testing_exp", card["ts"], "training:lr", user=WILL)).acked()
            card = await shown(emulator, "Config changed")
            await (await emulator.click("testing_exp", card["ts"], "training:stop", user=WILL)).acked()
        finally:
            output = await finish_job(process, within=90)
        assert process.returncode == 0 and "(stopped from Slack)" in output, output[-3000:]
        card = await shown(emulator, "stopped by Will Koehrsen")
    text = visible_text(card)
    saved = re.search(r"done: saved ([^\s\\\"`*]+)", text)  # the card as JSON: a newline is \\n
    assert saved and await asyncio.to_thread(os.path.exists, saved.group(1)), text
    assert re.search(r"LR × 0.5\* by Will Koehrsen .* done: learning rate × 0.5", text), text
    assert re.search(r"Config changed: `(lr|learning_rate)=", text), text
    if kind == "lightning":  # ModelCheckpoint's own saves, with its best score
        assert re.search(r"Checkpoints: best `[^`]*epoch=\d+-step=\d+\.ckpt` \(val_loss 0\.\d+\)", text), text
    if kind == "transformers":
        assert re.search(r"Checkpoints: best `[^`]*checkpoint-\d+` \(val_loss 0\.\d+\)", text), text


def keras_job() -> tuple[str, str]:
    missing = [m for m in ("keras", "torch", "sklearn") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"needs the [examples] extra ({', '.join(missing)} missing)")
    return "train_digits.py", ""


def lightning_sigterm_end() -> int:
    """Lightning has a SIGTERM handler of its own: its loops raise SIGTERMException at the next
    step, a SystemExit (status 0) in Lightning 2.6, an ordinary exception (status 1) before."""
    from lightning.pytorch.utilities.exceptions import SIGTERMException
    return 0 if issubclass(SIGTERMException, SystemExit) else 1


# The Trainer has no SIGTERM handler, so its process is killed by the signal.
ENDS = {"lightning": lightning_sigterm_end, "transformers": lambda: -signal.SIGTERM}


@pytest.mark.parametrize("kind", list(JOBS))
async def test_sigterm_marks_the_framework_run_preempted_and_the_job_ends_as_it_would_have(
        emulator: Emulator, tmp_path: Path, kind: str) -> None:
    script, folder = job(kind)
    async with monitoring_bot(emulator, tmp_path) as runtime:
        process = await start_job(runtime, script, "--epochs", "300", folder, str(tmp_path / "out"))
        try:
            await emulator.wait_for(
                lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["epoch"] >= 1], timeout=90)
            process.send_signal(signal.SIGTERM)
        finally:
            output = await finish_job(process, within=60)
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["status"] == "preempted"], timeout=20)
    assert process.returncode == ENDS[kind](), output[-3000:]
    assert "*preempted* (the job got SIGTERM)" in visible_text(card)
    assert card["attachments"][0]["color"] == COLOURS["preempted"]
