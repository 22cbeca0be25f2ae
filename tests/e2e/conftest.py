from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import Emulator, Workspace
from bot.runtime import Runtime
from tests.e2e.harness import running_bot


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.default()) as emu:
        yield emu


@pytest.fixture
async def bot(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with running_bot(emulator, tmp_path) as runtime:
        yield runtime
