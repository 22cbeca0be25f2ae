"""One fake clock and one Sloth for every games test: jobs (the sweeper) run only when a test does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runtime.lifecycle import Runtime
from bot.testing import FakeClock
from sloth_emulator import Emulator
from tests.e2e.harness import running_bot


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def bot(emulator: Emulator, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Runtime]:
    async with running_bot(emulator, tmp_path, clock=clock) as runtime:
        yield runtime
