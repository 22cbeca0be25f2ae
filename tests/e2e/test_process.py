"""`python -m bot` as a real process: settings errors, SIGTERM while work is in flight."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from sloth_emulator import Emulator, RateLimits, Workspace
from tests.e2e.harness import visible_text


def bot_env(emu: Emulator | None, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SLOTH_")) and "PROXY" not in k.upper()}
    if emu is not None:
        env.update(SLACK_BOT_TOKEN=emu.bot_token, SLACK_APP_TOKEN=emu.app_token, SLACK_API_URL=emu.api_url)
    env.update({"SLOTH_HTTP_PORT": "0", "SLOTH_DATA_DIR": str(data_dir), **extra})
    return env


async def start_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_bad_settings_exit_2_listing_every_problem(tmp_path: Path) -> None:
    env = bot_env(None, tmp_path, SLACK_APP_TOKEN="xoxb-secret-in-wrong-place", SLOTH_HTTP_PORT="http")
    process = await start_bot(env, tmp_path)
    _, err = await asyncio.wait_for(process.communicate(), 30)
    text = err.decode()
    assert process.returncode == 2
    for variable in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLOTH_HTTP_PORT"):
        assert variable in text
    assert "Traceback" not in text and "secret-in-wrong-place" not in text


async def test_invalid_token_is_a_clear_fatal_error(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        env = {**bot_env(emu, tmp_path), "SLACK_BOT_TOKEN": "xoxb-revoked-0000"}
        process = await start_bot(env, tmp_path)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 1
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in err.decode()
    assert "Traceback" not in err.decode() and "xoxb-revoked-0000" not in err.decode()


async def test_sigterm_lets_in_flight_work_finish_then_exits_0(tmp_path: Path) -> None:
    # Tier 2 allows one call a second here, so listing ~3,000 members takes a few seconds.
    limits = RateLimits(window=1.0, per_window={2: 1})
    async with Emulator(Workspace.generated(users=3_000, channels=10, seed=2), rate_limits=limits) as emu:
        process = await start_bot(bot_env(emu, tmp_path), tmp_path)
        try:
            await emu.wait_connected(1, timeout=30)
            delivery = await emu.slash_command(text="users")
            await delivery.acked()
            await emu.wait_for(lambda: emu.calls_to("users.list"), timeout=10)
            process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), 15)
        finally:
            if process.returncode is None:
                process.kill()
        assert process.returncode == 0, err.decode()[-2000:]
        [reply] = [p for p in emu.responses if p.url == delivery.payload["response_url"]]
        assert "Page 1 of" in visible_text(reply.body)
        assert "Traceback" not in err.decode()
        assert emu.connections == 0


async def test_the_log_has_no_noise_at_start(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        process = await start_bot({**bot_env(emu, tmp_path), "LOG_LEVEL": "INFO"}, tmp_path)
        try:
            await emu.wait_connected(1, timeout=30)
        finally:
            process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), 15)
    text = err.decode()
    assert process.returncode == 0 and "Sloth is running" in text
    assert "`token` will be unused" not in text and "will be ignored" not in text
    assert emu.bot_token not in text and emu.app_token not in text
