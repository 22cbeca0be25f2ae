"""Sloth's own end-to-end fixtures, on the test kit's (`bot.testing.plugin`: `slack`, `slack_workspace`).

`emulator` is the kit's `slack` (a module overrides `slack_workspace` for another workspace);
`bot` is a started runtime with the built-in features, talking to it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.runtime import Runtime
from tests.e2e.harness import running_bot


@pytest.fixture
def emulator(slack: Emulator) -> Emulator:
    return slack


@pytest.fixture
async def bot(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with running_bot(emulator, tmp_path) as runtime:
        yield runtime
