"""KerasCallback under real Keras 3 (torch backend, CPU): examples/train_digits.py reporting to Sloth.

Needs the [examples] extra (`./scripts/test` installs it); skipped only when keras, torch or
scikit-learn cannot be imported.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

from bot.runtime.lifecycle import Runtime
from handlers.training.card import COLOURS
from sloth_emulator import Emulator
from tests.e2e.harness import visible_text
from tests.e2e.training.training_harness import (
    TOKEN,
    WILL,
    cards,
    ingest_url,
    monitoring_bot,
    payload,
    replies,
    uploads,
)

pytestmark = [
    pytest.mark.keras,
    pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in ("keras", "torch", "sklearn")),
                       reason="needs the [examples] extra: pip install torch==2.13.0 && pip install -e '.[examples]'"),
]

ROOT = Path(__file__).resolve().parents[3]
PNG = b"\x89PNG\r\n\x1a\n"


async def start_example(runtime: Runtime, *args: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "SLOTH_URL": ingest_url(runtime), "SLOTH_MONITOR_TOKEN": TOKEN, "KERAS_BACKEND": "torch",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "examples" / "train_digits.py"), "--channel", "#testing_exp", "--owner", WILL,
        *args, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def test_a_keras_run_reports_epochs_curves_and_predictions(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        job = await start_example(runtime, "--epochs", "3")
        output, _ = await asyncio.wait_for(job.communicate(), 120)
        assert job.returncode == 0, output.decode()[-3000:]
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["status"] == "completed"], timeout=15)
        files = await emulator.wait_for(
            lambda: (found := uploads(emulator, "testing_exp", card["ts"])) and len(found) == 2 and found, 30)
    assert payload(card)["epoch"] == payload(card)["total_epochs"] == 3
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(payload(card)["metrics"])
    assert payload(card)["metrics"]["val_accuracy"] > 0.5  # it learned something in three epochs
    assert "backend" in visible_text(card) and "torch" in visible_text(card)
    assert set(files) == {"digits-cnn-curves.png", "digits-cnn-predictions.png"}
    assert all(data.startswith(PNG) for data in files.values())
    comments = [m.get("text", "") for m in replies(emulator, "testing_exp", card["ts"])]
    assert any("Predictions on 16 samples" in c for c in comments), comments


async def test_stop_on_the_card_ends_model_fit(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        job = await start_example(runtime, "--epochs", "500")
        try:
            [card] = await emulator.wait_for(
                lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["epoch"] >= 1], timeout=60)
            await (await emulator.click("testing_exp", card["ts"], "training:stop", user=WILL)).acked()
            output, _ = await asyncio.wait_for(job.communicate(), 60)
        finally:
            if job.returncode is None:
                job.kill()
                await job.wait()
        assert job.returncode == 0 and b"(stopped from Slack)" in output, output.decode()[-3000:]
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["status"] == "stopped"], timeout=15)
    assert payload(card)["epoch"] < 500
    pressed = re.search(r"stopped by Will Koehrsen during epoch (\d+)", visible_text(card))
    assert pressed and int(pressed.group(1)) - 1 <= payload(card)["epoch"]  # epochs done when pressed
    assert card["attachments"][0]["color"] == COLOURS["stopped"]
