from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.emulator import Emulator, Workspace
from bot.runtime import Runtime
from tests.e2e.harness import running_bot
from tests.e2e.monitor_server import RecordingServer, free_port, serving


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.default()) as emu:
        yield emu


@pytest.fixture
async def bot(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with running_bot(emulator, tmp_path) as runtime:
        yield runtime


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    """A stand-in Sloth that records what the monitor client sends."""
    yield from serving()


@pytest.fixture
def closed_port() -> int:
    return free_port()
