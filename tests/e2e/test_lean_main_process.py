"""The process that holds the socket never imports the drawing libraries; its workers draw.

Sloth runs in a fresh interpreter (`tests/e2e/lean_probe.py`), so nothing another test imported
can hide or fake an import; the emulator runs here.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from sloth_emulator import Emulator
from tests.e2e.files.filework import PNG_SIZE, png_size, uploads, workspace_with_busy_channel

ROOT = Path(__file__).resolve().parents[2]
DRAWING = {"matplotlib", "numpy", "PIL"}


async def read_modules(process: asyncio.subprocess.Process) -> set[str]:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    assert line, "the probe ended before reporting its modules"
    return set(json.loads(line))


async def test_the_main_process_draws_nothing_yet_charts_are_delivered(tmp_path: Path) -> None:
    async with Emulator(workspace_with_busy_channel()) as emu:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SLACK_", "SLOTH_")) and "PROXY" not in k.upper()}
        env.update(SLACK_BOT_TOKEN=emu.bot_token, SLACK_APP_TOKEN=emu.app_token, SLACK_API_URL=emu.api_url,
                   SLOTH_HTTP_PORT="0", SLOTH_DATA_DIR=str(tmp_path), LOG_LEVEL="WARNING")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.e2e.lean_probe", env=env, cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        try:
            started = await read_modules(process)
            assert emu.connections == 1
            assert {"bot", "slack_bolt", "aiohttp"} <= started  # the probe reports what it sees
            assert not started & DRAWING

            await emu.slash_command(text="plot activity #busy 30", channel="general")
            await emu.slash_command(text="plot members", channel="general")
            await emu.wait_for(lambda: len(uploads(emu)) == 2, timeout=30)
            assert process.stdin is not None
            process.stdin.write(b"charts delivered\n")
            after = await read_modules(process)
            # It stops by itself, closing its worker pool (killed, it would leave the workers behind).
            assert await asyncio.wait_for(process.wait(), 30) == 0
        finally:
            if process.returncode is None:
                process.kill()
    assert not after & DRAWING
    assert "cryptography" not in after  # nobody connected, so nothing was sealed
    assert [png_size(f.content or b"") for f in uploads(emu)] == [PNG_SIZE, PNG_SIZE]
