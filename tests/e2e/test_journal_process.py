"""No acked work lost: Sloth as real processes (`python -m bot`, this checkout) killed with SIGKILL
right after acking a burst of mentions, none of them answered yet. Every acked mention is then
answered exactly once: after a restart on the same SQLite file (Socket Mode), and by the other
replica of two on one Redis behind a load balancer (HTTP mode).

The mentions ask `users`, whose first answer waits for users.list: the emulator holds that
answer until the kill, so the dead process had taken every mention, begun it, and answered none.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import redis.asyncio as aioredis

from sloth_emulator import Delivery, Emulator, Workspace
from tests.conftest import free_port
from tests.e2e.balancer import balancing
from tests.e2e.processes import ROOT, sloth_env

QUESTIONS = 12


class Replica:
    """One `python -m bot` process; its log is read as it goes (so the pipe never fills)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.log: list[str] = []
        self.running = asyncio.Event()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.log.append(line.decode(errors="replace"))
            if "Sloth is running" in self.log[-1]:
                self.running.set()

    async def started(self) -> None:
        waiting = asyncio.ensure_future(self.running.wait())
        await asyncio.wait([waiting, self.reader], timeout=60, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        assert self.running.is_set(), "".join(self.log)[-3000:]

    async def stop(self) -> str:
        """SIGTERM, which must end it cleanly; its whole log."""
        self.process.terminate()
        await asyncio.wait_for(self.process.wait(), 30)
        await self.reader
        text = "".join(self.log)
        assert self.process.returncode == 0 and "Traceback" not in text, text[-3000:]
        return text


@asynccontextmanager
async def replica(env: dict[str, str], cwd: Path) -> AsyncIterator[Replica]:
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env, cwd=cwd,
                                                   stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    running = Replica(process)
    try:
        await running.started()
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        running.reader.cancel()


def threads(emu: Emulator) -> list[str]:
    """The ts of each question's own thread in #general."""
    general = emu.workspace.general()
    will = emu.workspace.first_human()
    return [emu.workspace.post(general, {"user": will.id, "text": f"question {i}"})["ts"] for i in range(QUESTIONS)]


async def ask_all(emu: Emulator, asked_in: list[str]) -> list[Delivery]:
    """Mention Sloth with `users` in every thread; once every mention is acked."""
    deliveries = [await emu.user_message(channel="general", text=f"<@{emu.bot_user_id}> users", thread_ts=ts)
                  for ts in asked_in]
    for delivery in deliveries:
        await delivery.acked(timeout=10)
    return deliveries


def replies(emu: Emulator, asked_in: list[str]) -> dict[str, int]:
    """How many answers Sloth gave in each question's thread."""
    general = emu.workspace.general()
    return {ts: sum(1 for m in general.messages.values() if m.get("thread_ts") == ts and m.get("bot_id"))
            for ts in asked_in}


async def test_mentions_acked_before_a_sigkill_are_answered_once_after_a_restart(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        env = sloth_env(tmp_path / "data", emu, PYTHONPATH=str(ROOT), LOG_LEVEL="INFO")
        asked_in = threads(emu)
        held = emu.hold_answers("users.list")
        async with replica(env, tmp_path) as first:
            await emu.wait_connected(1, timeout=30)
            await ask_all(emu, asked_in)
            await emu.wait_for(lambda: emu.calls_to("users.list"), timeout=10)
            first.process.kill()  # acked, begun, answered nowhere
            await first.process.wait()
        held.set()
        await emu.wait_for(lambda: emu.connections == 0, timeout=10)
        assert set(replies(emu, asked_in).values()) == {0}

        async with replica(env, tmp_path) as second:
            await emu.wait_for(lambda: 0 not in replies(emu, asked_in).values(), timeout=60)
            log = await second.stop()  # drains what it took over: nothing more comes after this
    assert replies(emu, asked_in) == dict.fromkeys(asked_in, 1)
    assert log.count("taking over a events_api envelope") >= QUESTIONS  # each mention, and its message event


async def test_a_replica_killed_after_acking_leaves_its_work_to_the_other(tmp_path: Path, redis_url: str) -> None:
    flushed = aioredis.from_url(redis_url)
    await flushed.flushdb()
    await flushed.aclose()
    async with Emulator(Workspace.default()) as emu:
        ports = [free_port(), free_port()]
        envs = [sloth_env(tmp_path / f"data{i}", emu, PYTHONPATH=str(ROOT), LOG_LEVEL="INFO", SLOTH_TRANSPORT="http",
                          SLACK_SIGNING_SECRET=emu.signing_secret, SLOTH_STORE_URL=redis_url,
                          SLOTH_HTTP_PORT=str(port)) for i, port in enumerate(ports)]
        asked_in = threads(emu)
        held = emu.hold_answers("users.list")
        async with (replica(envs[0], tmp_path) as doomed, replica(envs[1], tmp_path) as survivor,
                    balancing([f"http://127.0.0.1:{port}" for port in ports]) as (balancer, url)):
            await emu.use_request_url(url)
            await ask_all(emu, asked_in)
            assert balancer.passed.count(f"http://127.0.0.1:{ports[0]}") >= QUESTIONS  # half of 2 × 12 events
            doomed.process.kill()
            await doomed.process.wait()
            held.set()
            await emu.wait_for(lambda: 0 not in replies(emu, asked_in).values(), timeout=60)
            log = await survivor.stop()
    assert replies(emu, asked_in) == dict.fromkeys(asked_in, 1)
    assert "taking over a events_api envelope" in log
