"""`sloth worker` as a real process (`python -m bot worker`, this checkout's code) for the queue's tests."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from sloth_emulator import Emulator
from tests.e2e.processes import ROOT, sloth_env

READY = "takes jobs"  # what the worker logs once both lanes are served


class WorkerProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._ready = asyncio.Event()
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            self.lines.append(line)
            if READY in line:
                self._ready.set()

    async def ready(self, timeout: float = 60) -> None:  # noqa: ASYNC109
        ended = asyncio.ensure_future(self.process.wait())
        waiting = asyncio.ensure_future(self._ready.wait())
        await asyncio.wait([ended, waiting], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        ended.cancel()
        waiting.cancel()
        if not self._ready.is_set():
            raise AssertionError("the worker did not start:\n" + "\n".join(self.lines[-40:]))

    @property
    def port(self) -> int:
        """Where its /livez, /readyz and /metrics are (it logs the port it took when ready)."""
        [line] = [line for line in self.lines if READY in line]
        return int(line.rsplit("on port ", 1)[1])

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 60)
        await self._reader
        return self.process.returncode or 0

    def log(self) -> str:
        return "\n".join(self.lines)


@contextlib.asynccontextmanager
async def sloth_worker(emu: Emulator, data_dir: Path, redis_url: str, **extra: str) -> AsyncIterator[WorkerProcess]:
    """A started `sloth worker` against `emu` and the Redis at `redis_url`; stopped (SIGTERM) after."""
    env = sloth_env(data_dir, emu, PYTHONPATH=str(ROOT), SLOTH_STORE_URL=redis_url, **extra)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "worker", env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    worker = WorkerProcess(process)
    try:
        await worker.ready()
        yield worker
    finally:
        if process.returncode is None:
            with contextlib.suppress(Exception):
                await worker.stop()
        if process.returncode is None:
            process.kill()
            await process.wait()
