"""Sloth killed (SIGKILL) after Slack posted a run's card but before Sloth stored its ts: the next
Sloth process finds that card, adopts it and keeps it up to date. No second card, no orphan.

Real processes (`python -m bot`, this checkout), one SQLite store between them, the emulator
holding its answer to chat.postMessage so that the kill lands exactly in that window."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from sloth_emulator import Emulator, Workspace
from tests.e2e.processes import ROOT, sloth_env
from tests.e2e.training.monitor_server import free_port
from tests.e2e.training.training_harness import TOKEN, cards, payload

RUN_ID = "crash-run-0001"


@asynccontextmanager
async def sloth(env: dict[str, str], emu: Emulator) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot` of this checkout, connected to `emu`; killed if the test has not ended it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    try:
        await emu.wait_connected(1, timeout=60)
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def report(url: str, events: list[dict[str, Any]]) -> int:
    info = {"name": "survivor", "channel": "#testing_exp", "owner": None, "total_epochs": 2, "config": {},
            "instance": "the-one-job-instance"}
    body = json.dumps({"protocol": 2, "run": info, "events": events, "dropped": 0})
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession() as http, http.post(
            f"{url}/monitor/v1/runs/{RUN_ID}/events", data=body, headers=headers) as answer:
        return answer.status


async def test_a_card_posted_just_before_a_sigkill_is_adopted_by_the_next_process(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with Emulator(Workspace.default()) as emu:
        env = sloth_env(tmp_path, emu, SLOTH_MONITOR_TOKEN=TOKEN, SLOTH_HTTP_PORT=str(port),
                        SLOTH_TRAINING_SWEEP_SECONDS="0.2", SLOTH_TRAINING_EDIT_SECONDS="0.2",
                        PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
        answers = emu.hold_answers("chat.postMessage")
        async with sloth(env, emu) as first:
            assert await report(url, [{"type": "start", "seq": 1, "time": time.time()}]) == 200
            await emu.wait_for(lambda: emu.calls_to("chat.postMessage"), timeout=30)
            first.kill()  # Slack has posted the card; Sloth never hears its ts
            await first.wait()
        answers.set()
        await emu.wait_for(lambda: emu.connections == 0, timeout=30)
        [orphan] = cards(emu, "testing_exp")

        async with sloth(env, emu) as second:
            epoch = {"type": "epoch", "seq": 2, "time": time.time(), "epoch": 0, "metrics": {"loss": 0.5}}
            finish = {"type": "finish", "seq": 3, "time": time.time(), "status": "completed", "error": None}
            assert await report(url, [epoch, finish]) == 200
            await emu.wait_for(lambda: payload(cards(emu, "testing_exp")[0])["status"] == "completed", timeout=60)
            second.terminate()
            _, err = await asyncio.wait_for(second.communicate(), 30)
    [card] = cards(emu, "testing_exp")
    assert card["ts"] == orphan["ts"] and payload(orphan)["status"] == "running"
    assert payload(card) | {"metrics": {}} == {"run_id": RUN_ID, "status": "completed", "epoch": 1, "total_epochs": 2,
                                               "metrics": {}}
    assert len([c for c in emu.calls_to("chat.postMessage") if not c.args.get("thread_ts")]) == 1
    assert [c.ok for c in emu.calls_to("conversations.history")][-1:] == [True]  # found, not guessed
    assert second.returncode == 0 and b"Traceback" not in err, err.decode()[-3000:]
