"""Helpers for the training tests: the real runtime, the emulator and the real sloth_monitor client."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.runtime.lifecycle import Runtime
from bot.testing import FakeClock
from handlers.training.card import EVENT_TYPE
from sloth_emulator import Emulator
from sloth_monitor import TrainingRun
from tests.e2e.harness import running_bot

TOKEN = "monitor-token-for-tests"
WILL = "U01WJK68KS"  # owner of the runs below
AMELIA = "U01AMHART1"  # neither owner nor admin
PRIYA = "U01PNAIR01"  # one of Sloth's admins in these tests
T0 = 1_700_000_000.0  # event times are the job's clock in Unix seconds: T0 + s is s seconds into a job


def now_clock() -> FakeClock:
    """A fake clock that starts now: runs carry the training job's own (real) times."""
    return FakeClock(time.time())


@asynccontextmanager
async def monitoring_bot(emu: Emulator, data_dir: Path, monitor_token: str | None = TOKEN,
                         env: dict[str, str] | None = None, **overrides: Any) -> AsyncIterator[Runtime]:
    """Sloth with training ingest on (`monitor_token`), PRIYA an admin; the sweeper runs often."""
    settings = {"SLOTH_TRAINING_SWEEP_SECONDS": "0.05", **(env or {})}
    if monitor_token:
        settings["SLOTH_MONITOR_TOKEN"] = monitor_token
    overrides.setdefault("admins", frozenset({PRIYA}))
    async with running_bot(emu, data_dir, env=settings, jobs="auto", **overrides) as runtime:
        yield runtime


def ingest_url(runtime: Runtime) -> str:
    return f"http://127.0.0.1:{runtime.http_port}"


def cards(emu: Emulator, channel: str) -> list[dict[str, Any]]:
    """Top-level run cards in a channel, oldest first."""
    return [m for m in emu.messages(channel)
            if (m.get("metadata") or {}).get("event_type") == EVENT_TYPE and m.get("thread_ts") in (None, m["ts"])]


def payload(card: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = card["metadata"]["event_payload"]
    return found


def replies(emu: Emulator, channel: str, ts: str) -> list[dict[str, Any]]:
    return [m for m in emu.messages(channel) if m.get("thread_ts") == ts and m["ts"] != ts]


def uploads(emu: Emulator, channel: str, ts: str) -> dict[str, bytes]:
    """File name -> uploaded bytes, for the files shared in a card's thread."""
    found = {}
    for message in replies(emu, channel, ts):
        for shared in message.get("files") or []:
            record = emu.workspace.files[shared["id"]]
            found[record.name] = record.content or b""
    return found


def edits(emu: Emulator, ts: str) -> int:
    return sum(1 for c in emu.calls_to("chat.update") if c.ok and c.args.get("ts") == ts)


def edit_budget(seconds: float, gap: float = 2.0) -> int:
    return math.ceil(seconds / gap) + 2


def digits(count: int = 8) -> tuple[list[list[list[float]]], list[int], list[int]]:
    """Small fake 8x8 'digit' images with labels, two of them predicted wrong."""
    images = [[[float((r * c + k) % 16) for c in range(8)] for r in range(8)] for k in range(count)]
    y_true = [k % 10 for k in range(count)]
    y_pred = [(t + 1) % 10 if k in (2, 5) else t for k, t in enumerate(y_true)]
    return images, y_true, y_pred


def train(url: str, channel: str, epochs: int = 4, batches: int = 5, step: float = 0.04,
          owner: str | None = WILL, name: str = "digits-cnn", fail_at: int | None = None,
          token: str = TOKEN) -> TrainingRun:
    """A pretend training loop (blocking: run it in a thread) reporting through the real client."""
    run = TrainingRun(name, channel=channel, total_epochs=epochs, owner=owner, url=url, token=token,
                      config={"lr": 0.001, "batch_size": 32}, poll_interval=0.2, progress_interval=0.0)
    with run:
        for epoch in range(epochs):
            for batch in range(batches):
                time.sleep(step)  # the work a real step would do
                run.log_batch(epoch, batch, batches, loss=1.0 / (epoch + 1 + batch / batches))
            if fail_at == epoch:
                raise ValueError(f"loss is nan at epoch {epoch}")
            run.log_epoch(epoch, loss=1.0 / (epoch + 1), val_loss=1.2 / (epoch + 1) + (0.3 if epoch == 2 else 0),
                          accuracy=0.5 + epoch * 0.1, val_accuracy=0.45 + epoch * 0.1)
            if run.should_stop:
                break
        images, y_true, y_pred = digits()
        run.log_predictions(images, y_true, y_pred, class_names=[str(d) for d in range(10)])
    return run


ROOT = Path(__file__).resolve().parents[3]


async def start_job(runtime: Runtime, script: str, *args: str, **env: str) -> Any:
    """Run one of examples/ as a training job of its own, reporting to this runtime."""
    import asyncio
    import os
    import sys

    environ = {**os.environ, "SLOTH_URL": ingest_url(runtime), "SLOTH_MONITOR_TOKEN": TOKEN, "KERAS_BACKEND": "torch",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), **env}
    return await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "examples" / script), "--channel", "#testing_exp", "--owner", WILL, *args,
        cwd=ROOT, env=environ, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def finish_job(job: Any, within: float = 120) -> str:
    """Wait for a job started by start_job; its output. Killed if it outlives `within` seconds."""
    import asyncio

    try:
        output, _ = await asyncio.wait_for(job.communicate(), within)
    finally:
        if job.returncode is None:
            job.kill()
            await job.wait()
    text: str = output.decode(errors="replace")
    return text


def controlled_job(url: str, channel: str = "#testing_exp", folder: Path | None = None, epochs: int = 500,
                   owner: str | None = WILL, name: str = "resnet-tiny", **options: Any) -> TrainingRun:
    """A pretend training loop that can save a checkpoint and change its learning rate, as an
    integration does, until Stop (blocking: run it in a thread). Checkpoints go to `folder`."""
    rate = [0.1]
    saved: list[str] = []

    def save() -> str:
        assert folder is not None
        path = folder / f"ckpt-{len(saved)}.pt"
        path.write_bytes(b"weights")
        saved.append(str(path))
        return str(path)

    def scale(factor: float) -> dict[str, Any]:
        rate.append(rate[-1] * factor)
        return {"lr": rate[-1]}

    settings: dict[str, Any] = {"poll_interval": 0.2, "send_interval": 0.1, "progress_interval": 0.0,
                                "system_interval": None, "controls": ("checkpoint", "lr"), **options}
    run = TrainingRun(name, channel=channel, total_epochs=epochs, owner=owner, url=url, token=TOKEN,
                      config={"lr": rate[0], "layers": 4}, **settings)
    with run:
        for epoch in range(epochs):
            for batch in range(4):
                time.sleep(0.01)
                run.log_batch(epoch, batch, 4, loss=1.0 / (epoch + 1))
                run.handle_controls(save, scale)
            run.log_epoch(epoch, loss=1.0 / (epoch + 1), val_loss=0.5 if epoch >= 1 else 0.9)
            if run.should_stop:
                break
    return run
